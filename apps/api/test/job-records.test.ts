import { randomBytes } from 'node:crypto';
import { JobEventLog, streamKey } from '@photomaker/events';
import { createLogger } from '@photomaker/observability';
import { type JobState, jobStateSchema } from '@photomaker/schema';
import { jobStateQuery, workflowIdForJob } from '@photomaker/temporal';
import { JsonSealer, parsePayloadKeys } from '@photomaker/temporal/codec';
import type { Client } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobReads } from '../src/jobs/job-reads.ts';
import { JobRecords, jobRecordKey } from '../src/jobs/job-records.ts';
import {
  baseInput,
  collect,
  eventually,
  GENERATE,
  gql,
  JOB_EVENTS,
  setEmulatorLatency,
  stack,
  startApi,
  temporalClient,
  tenants,
  wsClient,
} from './helpers.ts';

// Job reads fold the record the API stored at creation with the job's event stream (Redis), and ask
// Temporal only when that can't be exact. Both are folds of the same events: they must agree.

const who = tenants('records', 'intruder');
let api: Awaited<ReturnType<typeof startApi>>;
let temporal: Client;

/** A Temporal client that must not be used: any call fails the test. */
const unreachable = new Proxy(
  {},
  {
    get(_target, property) {
      throw new Error(`Temporal was called (${String(property)}) on a read Redis should answer`);
    },
  },
) as Client;

/** The job reads of this API's Redis whose Temporal is `client`. */
function jobService(client: Client, options: { reconcileAfterMs?: number } = {}): JobReads {
  const { redis } = api.server.parts;
  return new JobReads({
    client,
    events: new JobEventLog(redis),
    records: api.server.parts.records,
    logger: createLogger({ service: 'api-test', level: 'warn' }),
    ...options,
  });
}

async function generate(input: Record<string, unknown>): Promise<{ id: string; status: string }> {
  const { data, errors } = await gql<{ generatePhotoMaker: { id: string; status: string } }>(
    api.url,
    who.records.key,
    GENERATE,
    { input },
  );
  expect(errors).toBeUndefined();
  return data?.generatePhotoMaker as { id: string; status: string };
}

/** The workflow's own state (its query; on a closed workflow the worker replays the history to answer). */
async function workflowState(id: string): Promise<JobState> {
  return jobStateSchema.parse(await temporal.workflow.getHandle(workflowIdForJob(id)).query(jobStateQuery));
}

async function waitForStage(id: string, stage: string): Promise<void> {
  const events = new JobEventLog(api.server.parts.redis);
  await eventually(async () => (await events.range(id, 0)).some((event) => event.stage === stage));
}

beforeAll(async () => {
  api = await startApi(who);
  temporal = await temporalClient();
});

afterAll(async () => {
  await setEmulatorLatency(0);
  await api?.server.close();
  await temporal?.connection.close();
});

describe('the Redis record at rest', () => {
  it('holds only jobId, tenant and createdAt in clear; the rest opens only with the payload keys', async () => {
    const prompt = 'a portrait of the caller, private words 5d41402a';
    const job = await generate(baseInput({ positivePrompt: prompt, deliveryMethod: 'SYNC' }));
    const { redis, records } = api.server.parts;
    const text = (await redis.get(jobRecordKey(job.id))) ?? '';
    expect(text).not.toContain('5d41402a');
    expect(Object.keys(JSON.parse(text)).sort()).toEqual(['createdAt', 'jobId', 'sealed', 'tenant', 'v']);
    expect(JSON.stringify((await records.load(job.id))?.start.task)).toContain('private words 5d41402a');
    // Another key ring (keys rotated away, or a foreign copy): missing, so reads ask Temporal instead.
    const foreign = new JsonSealer(parsePayloadKeys(`other:${randomBytes(32).toString('base64')}`));
    expect(await new JobRecords(redis, { sealer: foreign }).load(job.id)).toBeUndefined();
  });
});

describe('job reads from the Redis record + event stream', () => {
  it('equal the workflow’s own state for succeeded, failed and cancelled jobs, without calling Temporal', async () => {
    const succeeded = await generate(baseInput({ deliveryMethod: 'SYNC', numberResults: 2, seed: '7' }));
    expect(succeeded.status).toBe('SUCCEEDED');
    // The emulator answers the next photoMaker task with 402 (files run one at a time: it is ours).
    await fetch(`${stack().emulatorUrl}/admin/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        scripted: [
          {
            match: { taskType: 'photoMaker' },
            count: 1,
            fault: { kind: 'error', status: 402, code: 'insufficientCredits' },
          },
        ],
      }),
    });
    const failed = await generate(baseInput({ deliveryMethod: 'SYNC' }));
    expect(failed.status).toBe('FAILED');
    await setEmulatorLatency(1_500);
    const cancelled = await generate(baseInput({ numberResults: 8 }));
    await waitForStage(cancelled.id, 'submitted');
    const cancel = await gql(api.url, who.records.key, 'mutation($id: ID!) { cancelJob(id: $id) { id } }', {
      id: cancelled.id,
    });
    expect(cancel.errors).toBeUndefined();
    await temporal.workflow
      .getHandle(workflowIdForJob(cancelled.id))
      .result()
      .catch(() => undefined);
    await setEmulatorLatency(0);

    const offline = jobService(unreachable);
    for (const [job, status] of [
      [succeeded, 'SUCCEEDED'],
      [failed, 'FAILED'],
      [cancelled, 'CANCELLED'],
    ] as const) {
      const fromRedis = await offline.get(who.records.tenant, job.id);
      expect(fromRedis?.status).toBe(status);
      expect(fromRedis).toEqual(await workflowState(job.id));
      // Another tenant's id is simply not found, from the record alone.
      expect(await offline.get(who.intruder.tenant, job.id)).toBeUndefined();
    }
    const asIntruder = await gql<{ job: unknown }>(
      api.url,
      who.intruder.key,
      'query($id: ID!) { job(id: $id) { id } }',
      { id: succeeded.id },
    );
    expect(asIntruder.data?.job).toBeNull();
  });

  it('a fresh job’s subscription snapshot comes from Redis (QUEUED at seq 0), then every event', async () => {
    const job = await generate(baseInput());
    const offline = jobService(unreachable);
    const snapshot = await offline.get(who.records.tenant, job.id);
    expect(snapshot).toMatchObject({ jobId: job.id, tenant: who.records.tenant });
    const client = wsClient(api.url, who.records.key);
    try {
      const items = (
        await collect<{ jobEvents: { __typename: string; seq: number; status: string } }>(
          client,
          JOB_EVENTS,
          { jobId: job.id },
        ).done
      ).map((item) => item.jobEvents);
      expect(items[0]?.__typename).toBe('JobSnapshot');
      expect(items.slice(1).map((item) => item.seq)).toEqual(
        items.slice(1).map((_, i) => (items[0]?.seq ?? 0) + 1 + i),
      );
      expect(items.at(-1)?.status).toBe('SUCCEEDED');
      expect(await offline.get(who.records.tenant, job.id)).toEqual(await workflowState(job.id));
    } finally {
      await client.dispose();
    }
  });
});

describe('falling back to Temporal', () => {
  it('answers from Temporal when the record is missing or the stream does not start at seq 1', async () => {
    const { redis, reads: jobs } = api.server.parts;
    const noRecord = await generate(baseInput({ deliveryMethod: 'SYNC' }));
    const trimmed = await generate(baseInput({ deliveryMethod: 'SYNC' }));
    // An older job (no record) and a stream that lost its first entry.
    await redis.del(jobRecordKey(noRecord.id));
    await redis.xdel(streamKey(trimmed.id), '1-0');
    for (const job of [noRecord, trimmed]) {
      // Without Temporal there is no exact answer...
      await expect(jobService(unreachable).get(who.records.tenant, job.id)).rejects.toThrow(
        /Temporal was called/,
      );
      // ...with it, the workflow's.
      const state = await jobs.get(who.records.tenant, job.id);
      expect(state?.status).toBe('SUCCEEDED');
      expect(state).toEqual(await workflowState(job.id));
      expect(await jobs.get(who.intruder.tenant, job.id)).toBeUndefined();
    }
  });

  it('an unfinished job past the reconcile age is checked with Temporal: a terminated workflow reads FAILED', async () => {
    await setEmulatorLatency(2_000);
    try {
      const job = await generate(baseInput({ numberResults: 2 }));
      await waitForStage(job.id, 'submitted');
      await temporal.workflow.getHandle(workflowIdForJob(job.id)).terminate('operator test');
      // Young: the stream's word (no terminal event was written)...
      expect((await jobService(unreachable).get(who.records.tenant, job.id))?.status).toBe('RUNNING');
      // ...old enough to be checked: the closed workflow wins.
      const reconciled = await jobService(temporal, { reconcileAfterMs: 0 }).get(who.records.tenant, job.id);
      expect(reconciled).toMatchObject({
        status: 'FAILED',
        stage: 'failed',
        error: { code: 'internalServerError', message: 'The job was terminated by an operator.' },
      });
      expect(reconciled?.finishedAt).not.toBeNull();
    } finally {
      await setEmulatorLatency(0);
    }
  });
});
