import { JobEventLog } from '@photomaker/events';
import { workflowIdForJob } from '@photomaker/temporal';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  collect,
  eventually,
  GENERATE,
  gql,
  JOB_EVENTS,
  setEmulatorLatency,
  startApi,
  temporalClient,
  tenants,
  wsClient,
} from './helpers.ts';

// An operator terminates a running job in the Temporal UI: no terminal event is ever written, yet its
// live subscribers must learn how it ended instead of waiting forever.

const who = tenants('operator');
let api: Awaited<ReturnType<typeof startApi>>;
let temporal: Client;

interface Item {
  jobEvents: {
    __typename: string;
    seq: number;
    status: string;
    job?: { status: string };
    error?: { code: string; message: string };
  };
}

beforeAll(async () => {
  api = await startApi(who, {
    PHOTOMAKER_SUBSCRIPTION_RECHECK_MS: '200',
    PHOTOMAKER_RECONCILE_AFTER_MS: '0',
  });
  temporal = await temporalClient();
});

afterAll(async () => {
  await setEmulatorLatency(0);
  await api?.server.close();
  await temporal?.connection.close();
});

describe('a job terminated by an operator', () => {
  it('ends its live subscriptions with a snapshot of how it ended', async () => {
    await setEmulatorLatency(3_000);
    const { data } = await gql<{ generatePhotoMaker: { id: string } }>(api.url, who.operator.key, GENERATE, {
      input: baseInput({ numberResults: 2 }),
    });
    const id = data?.generatePhotoMaker.id ?? '';
    const events = new JobEventLog(api.server.parts.redis);
    await eventually(async () => (await events.range(id, 0)).some((event) => event.stage === 'submitted'));

    const clients = [wsClient(api.url, who.operator.key), wsClient(api.url, who.operator.key)];
    const subscriptions = clients.map((client) => collect<Item>(client, JOB_EVENTS, { jobId: id }));
    await eventually(async () => subscriptions.every((s) => s.items.length > 0));
    await temporal.workflow.getHandle(workflowIdForJob(id)).terminate('operator test');

    for (const subscription of subscriptions) {
      const items = (await subscription.done).map((item) => item.jobEvents);
      const last = items.at(-1);
      expect(last).toMatchObject({ __typename: 'JobSnapshot', status: 'FAILED', job: { status: 'FAILED' } });
      // No event was written for the end: the snapshot carries the last seq the stream had.
      expect(last?.seq).toBe(items[0]?.seq);
    }
    // The stream itself stays as the worker left it (no invented terminal event).
    expect((await events.range(id, 0)).map((event) => event.stage)).not.toContain('failed');
    await Promise.all(clients.map((client) => client.dispose()));
  }, 30_000);
});
