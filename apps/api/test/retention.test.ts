import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needlesOf } from '@photomaker/harness/erasure-scan';
import type { Client } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  eventually,
  GENERATE,
  gql,
  PNG_DATA_URI,
  stack,
  temporalClient,
  tenants,
  v1,
} from './helpers.ts';
import { asDataUri } from './support/bad-images.ts';
import {
  DELETE_REFERENCE,
  JOB_STATE,
  scanUntilClean,
  startLoggedApi,
  uniquePng,
  waitForJob,
} from './support/erasure.ts';

const UPLOAD = 'mutation($image: String!) { uploadReferenceImage(image: $image) { id sha256 } }';
const SWEEPS = `WorkflowType='retentionSweep' AND ExecutionStatus='Completed'`;

// Temporal deletes executions asynchronously: on a busy machine that takes a minute or more.
describe('retention on the real stack: a tenant whose retention is 0 days, one run of the schedule', {
  timeout: 240_000,
}, () => {
  const who = tenants('brief');
  const logDir = mkdtempSync(join(tmpdir(), 'api-retention-logs-'));
  let api: Awaited<ReturnType<typeof startLoggedApi>>;
  let temporal: Client;

  beforeAll(async () => {
    api = await startLoggedApi(who, logDir, 'retention', {
      PHOTOMAKER_RETENTION_OUTPUT_DAYS: '0',
      PHOTOMAKER_RETENTION_REFERENCE_DAYS: '0',
      PHOTOMAKER_RETENTION_JOB_DAYS: '0',
    });
    temporal = await temporalClient();
  });
  afterAll(async () => {
    await api?.close();
    await temporal?.connection.close();
    rmSync(logDir, { recursive: true, force: true });
  });

  it('refuses a bad expiresIn, naming the field and the rule', async () => {
    for (const expiresIn of ['3w', '10s', '400d']) {
      const { errors } = await gql(api.url, who.brief.key, GENERATE, { input: baseInput({ expiresIn }) });
      expect(errors?.[0]?.message).toMatch(/'expiresIn': it must be/);
      expect(errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        runwareCode: 'invalidExpiresIn',
      });
    }
    // The same extra field on a /v1 photoMaker task.
    const task = {
      taskType: 'photoMaker',
      taskUUID: randomUUID(),
      positivePrompt: 'a portrait photo of a person rwre',
      inputImages: [PNG_DATA_URI],
      height: 512,
      width: 512,
      model: 'civitai:139562@344487',
      expiresIn: '3w',
    };
    const { body } = await v1(api.url, who.brief.key, [task]);
    expect(body.errors?.[0]).toMatchObject({ code: 'invalidExpiresIn', parameter: 'expiresIn' });
  });

  it('the sweep erases the job, its outputs, its photo and an uploaded reference image: found nowhere', async () => {
    const [photo, reference] = [await uniquePng(), await uniquePng()];
    const uploaded = await gql<{ uploadReferenceImage: { id: string } }>(api.url, who.brief.key, UPLOAD, {
      image: asDataUri(reference),
    });
    const refId = uploaded.data?.uploadReferenceImage.id ?? '';
    const started = await gql<{ generatePhotoMaker: { id: string } }>(api.url, who.brief.key, GENERATE, {
      input: baseInput({ inputImages: [asDataUri(photo)], expiresIn: '1h' }),
    });
    expect(started.errors).toBeUndefined();
    const jobId = started.data?.generatePhotoMaker.id ?? '';
    const done = await waitForJob(api.url, who.brief.key, jobId);
    expect(done.status).toBe('SUCCEEDED');
    const outputs = await Promise.all(
      done.images.map(async (image) => Buffer.from(await (await fetch(image.url)).arrayBuffer())),
    );

    // One run of the durable schedule the worker created at start, now rather than at its next interval.
    const before = (await temporal.workflow.count(SWEEPS)).count;
    await temporal.schedule.getHandle('photomaker-retention').trigger();
    // ~35 s on an idle 2-core machine (the trigger, the sweep, visibility); more under a loaded CI.
    await eventually(async () => (await temporal.workflow.count(SWEEPS)).count > before, 150_000, 500);

    expect(
      (await gql<{ job: unknown }>(api.url, who.brief.key, JOB_STATE, { id: jobId })).data?.job,
    ).toBeNull();
    // The reference image's id is gone with its bytes.
    const gone = await gql(api.url, who.brief.key, DELETE_REFERENCE, { id: refId });
    expect(gone.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const image of done.images) expect([404, 410]).toContain((await fetch(image.url)).status);

    const needles = [
      needlesOf('photo', photo),
      needlesOf('reference', reference),
      ...outputs.map((bytes, i) => needlesOf(`output ${i}`, bytes)),
    ].flat();
    const { report, line } = await scanUntilClean({
      env: stack().env,
      temporal,
      blobs: { kind: 'dir', dir: stack().blobDir },
      logDirs: [stack().logDir, logDir],
      needles,
      workflowIds: [`photomaker-${jobId}`],
    });
    process.stdout.write(`erasure scan after a retention run: ${line}\n`);
    expect(report.hits).toEqual([]);
    expect(report.temporal.workflows).toBeGreaterThan(0);
  });
});
