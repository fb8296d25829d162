import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '@photomaker/blobstore';
import { needlesOf } from '@photomaker/harness/erasure-scan';
import type { Client } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  eventually,
  GENERATE,
  gql,
  setEmulatorLatency,
  stack,
  temporalClient,
  tenants,
} from './helpers.ts';
import { asDataUri } from './support/bad-images.ts';
import {
  DELETE_JOB,
  DELETE_REFERENCE,
  expectPhotoErased,
  JOB_STATE,
  scanUntilClean,
  startLoggedApi,
  uniquePng,
  waitForJob,
} from './support/erasure.ts';

const UPLOAD = 'mutation($image: String!) { uploadReferenceImage(image: $image) { id sha256 } }';

interface Erased {
  id: string;
  outputImages: number;
  referenceImages: number;
  referenceImagesKept: number;
  runwareUploads: number;
  redisKeys: number;
  workflow: string;
}

// Temporal deletes executions asynchronously: on a busy machine that takes a minute or more.
describe('deleteJob and deleteReferenceImage on the real stack (local blob store)', {
  timeout: 240_000,
}, () => {
  const who = tenants('owner', 'intruder');
  const logDir = mkdtempSync(join(tmpdir(), 'api-erasure-logs-'));
  let api: Awaited<ReturnType<typeof startLoggedApi>>;
  let temporal: Client;
  const store = () => new LocalBlobStore(stack().blobDir);

  const generate = async (input: Record<string, unknown>) => {
    const { data, errors } = await gql<{ generatePhotoMaker: { id: string } }>(
      api.url,
      who.owner.key,
      GENERATE,
      { input: baseInput(input) },
    );
    expect(errors).toBeUndefined();
    return data?.generatePhotoMaker.id ?? '';
  };
  const deleteJob = (id: string, key = who.owner.key) =>
    gql<{ deleteJob: Erased | null }>(api.url, key, DELETE_JOB, { id });

  /** A photo that stays: the scan must find it (so the scan is able to fail). */
  let control: Buffer;

  beforeAll(async () => {
    api = await startLoggedApi(who, logDir, 'erasure');
    temporal = await temporalClient();
    control = await uniquePng();
    const kept = await gql(api.url, who.owner.key, UPLOAD, { image: asDataUri(control) });
    expect(kept.errors).toBeUndefined();
  });
  afterAll(async () => {
    await api?.close();
    await temporal?.connection.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('erases a job and, with the last job holding it, its reference photo: found nowhere afterwards', async () => {
    const photo = await uniquePng();
    const photoSha = needlesOf('photo', photo)[2]?.bytes.toString() ?? '';
    const first = await generate({ inputImages: [asDataUri(photo)] });
    const second = await generate({ inputImages: [asDataUri(photo)] });
    const [done, other] = [
      await waitForJob(api.url, who.owner.key, first),
      await waitForJob(api.url, who.owner.key, second),
    ];
    expect([done.status, other.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const outputUrls = [...done.images, ...other.images].map((image) => image.url);
    const outputs = await Promise.all(
      outputUrls.map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())),
    );

    // Another tenant's id: not found, nothing erased.
    const refused = await deleteJob(first, who.intruder.key);
    expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await store().has(photoSha)).toBe(true);

    // The first deletion keeps the photo: the second job still holds it.
    const kept = await deleteJob(first);
    expect(kept.errors).toBeUndefined();
    expect(kept.data?.deleteJob).toMatchObject({
      outputImages: 1,
      referenceImages: 0,
      referenceImagesKept: 1,
      workflow: 'DELETED',
    });
    expect(await store().has(photoSha)).toBe(true);
    expect(
      (await gql<{ job: unknown }>(api.url, who.owner.key, JOB_STATE, { id: first })).data?.job,
    ).toBeNull();

    const erased = await deleteJob(second);
    expect(erased.data?.deleteJob).toMatchObject({
      outputImages: 1,
      referenceImages: 1,
      referenceImagesKept: 0,
      runwareUploads: 1,
      workflow: 'DELETED',
    });
    expect(await store().has(photoSha)).toBe(false);
    // Idempotent: once more finds nothing and erases nothing.
    expect((await deleteJob(second)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    for (const url of [
      ...outputUrls,
      ...(done.task.inputImages.map((image) => image.url).filter(Boolean) as string[]),
    ]) {
      expect([404, 410]).toContain((await fetch(url)).status);
    }
    const needles = [
      needlesOf('photo', photo),
      ...outputs.map((bytes, i) => needlesOf(`output ${i}`, bytes)),
    ].flat();
    const { report, line } = await scanUntilClean({
      env: stack().env,
      temporal,
      blobs: { kind: 'dir', dir: stack().blobDir },
      logDirs: [stack().logDir, logDir],
      needles,
      workflowIds: [`photomaker-${first}`, `photomaker-${second}`],
    });
    process.stdout.write(`erasure scan after deleteJob: ${line}\n`);
    expect(report.hits).toEqual([]);
    expect(report.redis.scanned).toBeGreaterThan(0);
    expect(report.blobs.scanned).toBeGreaterThan(0);

    // The same scan finds a photo that was not erased: in the blob store and in Redis.
    const positive = await scanUntilClean({
      env: stack().env,
      temporal,
      blobs: { kind: 'dir', dir: stack().blobDir },
      logDirs: [],
      needles: needlesOf('control', control),
      workflowIds: [],
      once: true,
    });
    expect(positive.report.blobs.hits.length).toBeGreaterThan(0);
    expect(positive.report.redis.hits.length).toBeGreaterThan(0);
  });

  it('cancels a running job first, then erases it once its workflow has closed', async () => {
    const photo = await uniquePng();
    await setEmulatorLatency(4000);
    try {
      const id = await generate({ inputImages: [asDataUri(photo)], numberResults: 2 });
      await eventually(async () => {
        const { data } = await gql<{ job: { status: string } | null }>(api.url, who.owner.key, JOB_STATE, {
          id,
        });
        return data?.job?.status === 'RUNNING';
      });
      const erased = await deleteJob(id);
      expect(erased.errors).toBeUndefined();
      expect(erased.data?.deleteJob).toMatchObject({ referenceImages: 1, workflow: 'DELETED' });
      await expectPhotoErased({ temporal, logDir, photo, jobIds: [id], label: 'deleting a running job' });
    } finally {
      await setEmulatorLatency(0);
    }
  });

  it('deleteReferenceImage keeps bytes a live job holds; they go with that job', async () => {
    const photo = await uniquePng();
    const sha = needlesOf('photo', photo)[2]?.bytes.toString() ?? '';
    const uploaded = await gql<{ uploadReferenceImage: { id: string } }>(api.url, who.owner.key, UPLOAD, {
      image: asDataUri(photo),
    });
    const refId = uploaded.data?.uploadReferenceImage.id ?? '';
    const job = await generate({ inputImages: [refId] });
    await waitForJob(api.url, who.owner.key, job);

    const intruder = await gql(api.url, who.intruder.key, DELETE_REFERENCE, { id: refId });
    expect(intruder.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const kept = await gql<{ deleteReferenceImage: Erased }>(api.url, who.owner.key, DELETE_REFERENCE, {
      id: refId,
    });
    expect(kept.data?.deleteReferenceImage).toMatchObject({ referenceImages: 0, referenceImagesKept: 1 });
    expect(await store().has(sha)).toBe(true);
    // The id is gone at once: a new job cannot use it.
    const again = await gql(api.url, who.owner.key, DELETE_REFERENCE, { id: refId });
    expect(again.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const erased = await deleteJob(job);
    expect(erased.data?.deleteJob).toMatchObject({ referenceImages: 1 });
    await expectPhotoErased({
      temporal,
      logDir,
      photo,
      jobIds: [job],
      label: 'deleteReferenceImage + deleteJob',
    });
  });
});
