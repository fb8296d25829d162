import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '@photomaker/blobstore';
import { type Platform, type RunningS3Server, startPlatform, startS3Server } from '@photomaker/harness';
import { needlesOf } from '@photomaker/harness/erasure-scan';
import { dataConverterFromEnv } from '@photomaker/temporal/codec';
import { Client, Connection } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, eventually, GENERATE, gql, tenants } from './helpers.ts';
import { asDataUri } from './support/bad-images.ts';
import { DELETE_JOB, scanUntilClean, startLoggedApi, uniquePng, waitForJob } from './support/erasure.ts';

// The erasure proof with the blob store on S3 (versitygw): a platform of its own whose worker and API
// store photos and outputs in a bucket; the scan reads every object of it through the S3 API.

const BUCKET = 'erasure';
const SWEEPS = `WorkflowType='retentionSweep' AND ExecutionStatus='Completed'`;

describe('erasure with the blob store on S3 (versitygw)', { timeout: 300_000 }, () => {
  const who = tenants('s3owner');
  const logDir = mkdtempSync(join(tmpdir(), 'api-erasure-s3-logs-'));
  let s3: RunningS3Server;
  let platform: Platform;
  let api: Awaited<ReturnType<typeof startLoggedApi>>;
  let temporal: Client;
  let store: S3BlobStore;
  let s3Client: S3Client;

  beforeAll(async () => {
    s3 = await startS3Server({ buckets: [BUCKET] });
    const onS3 = { ...s3.env, PHOTOMAKER_BLOB_STORE: `s3://${BUCKET}/blobs` };
    // The AWS SDK reads credentials and endpoint from the process environment (this API runs in-process).
    Object.assign(process.env, s3.env);
    platform = await startPlatform({
      pieces: ['temporal', 'redis', 'emulator', 'worker'],
      name: 'erasure-s3',
      env: { worker: { ...onS3, WORKER_POLL_INITIAL: '20', WORKER_POLL_MAX: '100' } },
      onLine: (piece, line) => appendFileSync(join(logDir, `${piece}.log`), `${line}\n`),
    });
    // Retention 0 days: the second job below is erased by a run of the schedule, the first by deleteJob.
    api = await startLoggedApi(who, logDir, 's3', {
      ...platform.envs.shared,
      ...onS3,
      PHOTOMAKER_RETENTION_OUTPUT_DAYS: '0',
      PHOTOMAKER_RETENTION_REFERENCE_DAYS: '0',
      PHOTOMAKER_RETENTION_JOB_DAYS: '0',
    });
    const connection = await Connection.connect({ address: platform.temporalAddress });
    temporal = new Client({
      connection,
      dataConverter: dataConverterFromEnv(platform.envs.shared, () => {}),
    });
    s3Client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    store = new S3BlobStore({ client: s3Client, bucket: BUCKET, prefix: 'blobs/' });
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await temporal?.connection.close();
    s3Client?.destroy();
    await platform?.stop();
    await s3?.stop();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('deleteJob and a retention run leave no trace in any object, key, history or log', async () => {
    const [deleted, expired, control] = [await uniquePng(), await uniquePng(), await uniquePng()];
    // An object nothing erases: the scan must read it and find it (so the scan is able to fail).
    await store.put(control, 'image/png');
    const ids: string[] = [];
    for (const photo of [deleted, expired]) {
      const { data, errors } = await gql<{ generatePhotoMaker: { id: string } }>(
        api.url,
        who.s3owner.key,
        GENERATE,
        { input: baseInput({ inputImages: [asDataUri(photo)] }) },
      );
      expect(errors).toBeUndefined();
      ids.push(data?.generatePhotoMaker.id ?? '');
    }
    const jobs = await Promise.all(ids.map((id) => waitForJob(api.url, who.s3owner.key, id)));
    expect(jobs.map((job) => job.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const urls = jobs.flatMap((job) => job.images.map((image) => image.url));
    const outputs = await Promise.all(
      urls.map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())),
    );
    const shaOf = (photo: Buffer) => needlesOf('x', photo)[2]?.bytes.toString() ?? '';
    expect(await store.has(shaOf(deleted))).toBe(true);

    const erased = await gql<{ deleteJob: { outputImages: number; referenceImages: number } }>(
      api.url,
      who.s3owner.key,
      DELETE_JOB,
      { id: ids[0] },
    );
    expect(erased.data?.deleteJob).toMatchObject({ outputImages: 1, referenceImages: 1 });
    expect(await store.has(shaOf(deleted))).toBe(false);

    const before = (await temporal.workflow.count(SWEEPS)).count;
    await temporal.schedule.getHandle('photomaker-retention').trigger();
    await eventually(async () => (await temporal.workflow.count(SWEEPS)).count > before, 60_000, 500);
    expect(await store.has(shaOf(expired))).toBe(false);
    // The schedule's own metrics on the worker's /metrics (its URL from its ready line).
    const ready = readFileSync(join(logDir, 'worker.log'), 'utf8').match(/"url":"(http:[^"]+)"/);
    const metrics = await eventually(async () => {
      const response = await fetch(`${ready?.[1]}/metrics`, {
        headers: { authorization: `Bearer ${platform.secrets.metricsToken}` },
      });
      const text = await response.text();
      return /photomaker_retention_last_success_timestamp_seconds(\{[^}]*\})? [1-9]/.test(text)
        ? text
        : undefined;
    });
    expect(metrics).toMatch(/photomaker_retention_erased_total\{[^}]*kind="job"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/photomaker_retention_sweep_duration_seconds_count(\{[^}]*\})? [1-9]/);
    for (const url of urls) expect([404, 410]).toContain((await fetch(url)).status);

    const objects = {
      kind: 'objects' as const,
      // Every object of the bucket, whatever its key (not only what the store would list as a blob).
      async *objects() {
        for await (const page of paginateListObjectsV2({ client: s3Client }, { Bucket: BUCKET })) {
          for (const object of page.Contents ?? []) {
            const got = await s3Client.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
            yield {
              key: object.Key ?? '',
              body: (await got.Body?.transformToByteArray()) ?? new Uint8Array(),
            };
          }
        }
      },
    };
    const { report, line } = await scanUntilClean({
      env: platform.envs.shared,
      temporal,
      blobs: objects,
      logDirs: [logDir],
      needles: [
        needlesOf('deleted photo', deleted),
        needlesOf('expired photo', expired),
        ...outputs.map((bytes, i) => needlesOf(`output ${i}`, bytes)),
      ].flat(),
      workflowIds: ids.map((id) => `photomaker-${id}`),
    });
    process.stdout.write(`erasure scan on S3 after deleteJob + a retention run: ${line}\n`);
    expect(report.hits).toEqual([]);
    expect(report.temporal.workflows).toBeGreaterThan(0);
    expect(report.logs.scanned).toBeGreaterThan(0);
    expect(report.blobs.scanned).toBe(1);
    const positive = await scanUntilClean({
      env: platform.envs.shared,
      temporal,
      blobs: objects,
      logDirs: [],
      needles: needlesOf('control', control),
      workflowIds: [],
      once: true,
    });
    expect(positive.report.blobs.hits.length).toBeGreaterThan(0);
  });
});
