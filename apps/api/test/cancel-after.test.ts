import { DEADLINE_REASON } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  collect,
  GENERATE,
  gql,
  setEmulatorLatency,
  startApi,
  tenants,
  v1,
  wsClient,
} from './helpers.ts';

// `cancelAfter` end to end (real Temporal, worker, emulator): the deadline ends a job that Runware is slow
// to finish, and a bad one is refused before anything starts, on GraphQL and /v1 alike.

const who = tenants('deadline');
const key = who.deadline.key;
let api: Awaited<ReturnType<typeof startApi>>;

beforeAll(async () => {
  api = await startApi(who);
});

afterAll(async () => {
  await setEmulatorLatency(0);
  await api?.server.close();
});

type Event = { __typename: string; stage: string; status: string; reason?: string | null };
const EVENTS = `subscription Events($jobId: ID!) {
  jobEvents(jobId: $jobId) { __typename stage status ... on JobCancelled { reason } }
}`;

describe('cancelAfter', () => {
  it('"2s" on a job the emulator takes ~30 s to make: CANCELLED within seconds, the subscription sees why', async () => {
    await setEmulatorLatency(10_000);
    const client = wsClient(api.url, key);
    try {
      const started = Date.now();
      const { data, errors } = await gql<{ generatePhotoMaker: { id: string } }>(api.url, key, GENERATE, {
        input: baseInput({ numberResults: 3, cancelAfter: '2s' }),
      });
      expect(errors).toBeUndefined();
      const jobId = data?.generatePhotoMaker.id ?? '';
      const events = (await collect<{ jobEvents: Event }>(client, EVENTS, { jobId }).done).map(
        (item) => item.jobEvents,
      );
      const elapsedMs = Date.now() - started;
      expect(events.at(-1)).toEqual({
        __typename: 'JobCancelled',
        stage: 'CANCELLED',
        status: 'CANCELLED',
        reason: DEADLINE_REASON,
      });
      expect(events.some((event) => event.__typename === 'JobSucceeded')).toBe(false);
      // The deadline plus the in-flight step's cancellation (its heartbeat, at most ~8 s): not 30 s.
      expect(elapsedMs).toBeGreaterThanOrEqual(2_000);
      expect(elapsedMs).toBeLessThan(15_000);
    } finally {
      await client.dispose();
      await setEmulatorLatency(0);
    }
  });

  it('on /v1 (an extra task field): a sync task past its deadline answers taskCancelled (409), not a 504', async () => {
    await setEmulatorLatency(10_000);
    try {
      const started = Date.now();
      const taskUUID = crypto.randomUUID();
      const response = await v1(api.url, key, [
        {
          taskType: 'photoMaker',
          taskUUID,
          ...baseInput({ numberResults: 3 }),
          model: 'civitai:139562@344487',
          cancelAfter: '2s',
        },
      ]);
      expect(response.body.errors?.[0]).toMatchObject({ code: 'taskCancelled', taskUUID });
      // A deliberate cancel is a 4xx: a 5xx would make Runware SDKs retry it.
      expect(response.status).toBe(409);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await setEmulatorLatency(0);
    }
  });

  it('Job.cancelAt is the deadline from the start input (sealed in the record), null without one', async () => {
    const JOB = 'query Job($id: ID!) { job(id: $id) { cancelAt createdAt } }';
    type Read = { job: { cancelAt: string | null; createdAt: string } };
    const withDeadline = await gql<{ generatePhotoMaker: { id: string } }>(api.url, key, GENERATE, {
      input: baseInput({ cancelAfter: '10m' }),
    });
    const id = withDeadline.data?.generatePhotoMaker.id ?? '';
    const read = (await gql<Read>(api.url, key, JOB, { id })).data?.job;
    expect(Date.parse(read?.cancelAt ?? '') - Date.parse(read?.createdAt ?? '')).toBeGreaterThanOrEqual(
      599_000,
    );
    expect(Date.parse(read?.cancelAt ?? '') - Date.parse(read?.createdAt ?? '')).toBeLessThanOrEqual(601_000);
    const stored = (await api.server.parts.redis.get(`photomaker:job:${id}:record`)) ?? '';
    expect(stored).not.toContain(read?.cancelAt ?? 'no deadline');
    const without = await gql<{ generatePhotoMaker: { id: string } }>(api.url, key, GENERATE, {
      input: baseInput(),
    });
    const plain = await gql<Read>(api.url, key, JOB, { id: without.data?.generatePhotoMaker.id });
    expect(plain.data?.job.cancelAt).toBeNull();
  });

  it('a bad cancelAfter is refused naming the field, on GraphQL and on /v1; nothing starts', async () => {
    for (const cancelAfter of ['soon', '0.5s', '25h']) {
      const result = await gql(api.url, key, GENERATE, { input: baseInput({ cancelAfter }) });
      expect(result.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        runwareCode: 'invalidCancelAfter',
      });
      expect(result.errors?.[0]?.message).toContain("'cancelAfter'");
    }
    const taskUUID = crypto.randomUUID();
    const response = await v1(api.url, key, [
      { taskType: 'photoMaker', taskUUID, ...baseInput(), model: 'civitai:139562@344487', cancelAfter: 5 },
    ]);
    expect(response.body.errors?.[0]).toMatchObject({ code: 'invalidCancelAfter', parameter: 'cancelAfter' });
    const after = await v1(api.url, key, [{ taskType: 'getResponse', taskUUID }]);
    expect(after.body.data ?? []).toHaveLength(0);
  });
});
