import { randomUUID } from 'node:crypto';
import { stringifyRunwareJson } from '@photomaker/schema';
import type { Client } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  baseInput,
  collect,
  countWorkflows,
  eventually,
  GENERATE,
  gql,
  PNG_DATA_URI,
  setEmulatorLatency,
  sleep,
  stack,
  startApi,
  temporalClient,
  tenants,
  wsClient,
} from './helpers.ts';

// Limits counted in jobs and images (jobs/usage-ledger.ts) on every transport of a real API: GraphQL over
// HTTP, graphql-ws and /v1, against the real Temporal, redis-server, worker and emulator.

const task = (overrides: Record<string, unknown> = {}) => ({
  taskType: 'photoMaker',
  taskUUID: randomUUID(),
  model: 'civitai:139562@344487',
  positivePrompt: 'wearing a suit, professional photo',
  inputImages: [PNG_DATA_URI],
  width: 512,
  height: 512,
  steps: 4,
  deliveryMethod: 'async',
  ...overrides,
});

/** POST /v1 with the Retry-After header kept. */
async function v1Raw(url: string, key: string, tasks: unknown[]) {
  const response = await fetch(`${url}/v1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: stringifyRunwareJson(tasks),
  });
  const body = (await response.json()) as { data?: unknown[]; errors?: Record<string, unknown>[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** A generatePhotoMaker over graphql-ws: the errors it was refused with. */
async function wsErrors(url: string, key: string, input: Record<string, unknown>) {
  const client = wsClient(url, key);
  try {
    await collect(client, GENERATE, { input }).done;
    return [];
  } catch (error) {
    return (error as { errors?: { extensions?: Record<string, unknown> }[] }).errors ?? [];
  } finally {
    await client.dispose();
  }
}

async function emulatorBalance(): Promise<number> {
  const response = await fetch(`${stack().emulatorUrl}/admin/balance`);
  return ((await response.json()) as { balance: number }).balance;
}

/**
 * The emulator's balance once the jobs of earlier tests stopped charging: none of their workflows still
 * running (a pause between two charges of a loaded worker is no end), then unchanged for a second.
 */
async function settledBalance(): Promise<number> {
  const running = `WorkflowType='photoMakerJob' AND ExecutionStatus='Running'`;
  const ours = [...startedTenants].map((tenant) => `'${tenant}'`).join(', ');
  if (ours) {
    await eventually(
      async () => (await temporal.workflow.count(`${running} AND PhotoMakerTenant IN (${ours})`)).count === 0,
      60_000,
      250,
    );
  }
  let last = await emulatorBalance();
  return eventually(
    async () => {
      await sleep(1_000);
      const now = await emulatorBalance();
      const settled = now === last;
      last = now;
      return settled ? now : undefined;
    },
    60_000,
    0,
  );
}

let temporal: Client;
const apis: Awaited<ReturnType<typeof startApi>>[] = [];
/** Tenants of the APIs this file started: whose jobs may still be charging the emulator. */
const startedTenants = new Set<string>();
async function api(keys: Parameters<typeof startApi>[0], env: Record<string, string>) {
  const started = await startApi(keys, env);
  for (const { tenant } of Object.values(keys)) startedTenants.add(tenant);
  apis.push(started);
  return started;
}

beforeAll(async () => {
  temporal = await temporalClient();
});
afterEach(async () => setEmulatorLatency(0));
afterAll(async () => {
  for (const started of apis) await started.server.close();
  await temporal.connection.close();
});

describe('usage limits on every transport', () => {
  it('counts 15 aliased generatePhotoMaker as 15 jobs; then refuses the day on GraphQL, graphql-ws and /v1', async () => {
    const who = tenants('daily');
    const { url } = await api(who, { PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY: '14' });
    const fields = Array.from({ length: 15 }, (_, i) => `g${i}: generatePhotoMaker(input: $input) { id }`);
    const many = await gql(
      url,
      who.daily.key,
      `mutation M($input: PhotoMakerInput!) { ${fields.join(' ')} }`,
      {
        input: baseInput(),
      },
    );
    // Mutation fields run one after the other: 14 jobs start, the 15th is refused (and, its field being
    // non-null, nulls `data`); the jobs that started are there all the same.
    expect(many.data).toBeNull();
    await eventually(async () => (await countWorkflows(temporal, who.daily.tenant)) === 14);
    expect(many.errors).toHaveLength(1);
    expect(many.errors?.[0]?.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limitName: 'imagesPerDay',
      limit: 14,
      current: 14,
      retryAfter: expect.any(Number),
    });

    const overWs = await wsErrors(url, who.daily.key, baseInput());
    expect(overWs[0]?.extensions).toMatchObject({ code: 'QUOTA_EXCEEDED', limit: 14, current: 14 });

    const before = await countWorkflows(temporal, who.daily.tenant);
    const overV1 = await v1Raw(url, who.daily.key, [task()]);
    expect(overV1.status).toBe(429);
    expect(Number(overV1.retryAfter)).toBeGreaterThan(0);
    expect(overV1.body.errors?.[0]).toMatchObject({ code: 'quotaExceeded', limit: 14, current: 14 });
    expect(await countWorkflows(temporal, who.daily.tenant)).toBe(before);
  });

  it('refuses a whole /v1 batch over the images per minute: no workflow, no charge at the emulator', async () => {
    const who = tenants('batch');
    const { url } = await api(who, { PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_MINUTE: '5' });
    const balance = await settledBalance();
    const refused = await v1Raw(url, who.batch.key, [
      task({ numberResults: 2 }),
      task({ numberResults: 2 }),
      task({ numberResults: 2 }),
    ]);
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors?.[0]).toMatchObject({
      code: 'rateLimitExceeded',
      limitName: 'imagesPerMinute',
      limit: 5,
      current: 0,
    });
    expect(refused.body.data).toBeUndefined();
    expect(await countWorkflows(temporal, who.batch.tenant)).toBe(0);
    await sleep(500);
    expect(await emulatorBalance()).toBe(balance);

    // One request over the window on GraphQL (HTTP and WebSocket) is refused the same way.
    const overHttp = await gql(url, who.batch.key, GENERATE, { input: baseInput({ numberResults: 6 }) });
    expect(overHttp.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      limitName: 'imagesPerMinute',
    });
    const overWs = await wsErrors(url, who.batch.key, baseInput({ numberResults: 6 }));
    expect(overWs[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limitName: 'imagesPerMinute' });
    expect(await countWorkflows(temporal, who.batch.tenant)).toBe(0);

    // A batch within the limit starts all its tasks.
    const ok = await v1Raw(url, who.batch.key, [task({ numberResults: 2 }), task({ numberResults: 2 })]);
    expect(ok.status).toBe(200);
    expect(ok.body.data).toHaveLength(2);
  });

  it('caps the day spend at the configured price per image on every transport', async () => {
    const who = tenants('spender');
    const { url } = await api(who, {
      PHOTOMAKER_TENANT_DEFAULT_SPEND_PER_DAY_USD: '0.02',
      PHOTOMAKER_TENANT_DEFAULT_PRICE_PER_IMAGE_USD: '0.01',
    });
    const refusal = { code: 'QUOTA_EXCEEDED', limitName: 'spendPerDayUsd', limit: 0.02, current: 0 };
    const overHttp = await gql(url, who.spender.key, GENERATE, { input: baseInput({ numberResults: 3 }) });
    expect(overHttp.errors?.[0]?.extensions).toMatchObject(refusal);
    expect(
      (await wsErrors(url, who.spender.key, baseInput({ numberResults: 3 })))[0]?.extensions,
    ).toMatchObject(refusal);
    const overV1 = await v1Raw(url, who.spender.key, [task({ numberResults: 3 })]);
    expect(overV1.status).toBe(429);
    expect(overV1.body.errors?.[0]).toMatchObject({ code: 'quotaExceeded', limitName: 'spendPerDayUsd' });
    expect(await countWorkflows(temporal, who.spender.tenant)).toBe(0);
  });

  it('bounds open jobs at maxRunningJobs + maxQueuedJobs on every transport (a /v1 batch whole), and frees a place when a job ends', async () => {
    const who = tenants('slots');
    const { url } = await api(who, {
      PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1',
      PHOTOMAKER_TENANT_DEFAULT_MAX_QUEUED_JOBS: '1',
    });
    // Images of 10 s: the first job (its two image tasks run at once) holds its place well past the
    // checks below, so the limit they meet is the one of two open jobs, however slow the machine.
    await setEmulatorLatency(10_000);
    // One runs, one waits in the admission queue: both accepted.
    for (let i = 0; i < 2; i++) {
      const accepted = await gql(url, who.slots.key, GENERATE, { input: baseInput({ numberResults: 2 }) });
      expect(accepted.errors).toBeUndefined();
    }
    const refusal = { code: 'RATE_LIMITED', limitName: 'maxQueuedJobs', limit: 1, current: 1 };
    const overHttp = await gql(url, who.slots.key, GENERATE, { input: baseInput() });
    expect(overHttp.errors?.[0]?.extensions).toMatchObject({ ...refusal, retryAfter: expect.any(Number) });
    expect((await wsErrors(url, who.slots.key, baseInput()))[0]?.extensions).toMatchObject(refusal);
    const overV1 = await v1Raw(url, who.slots.key, [task()]);
    expect(overV1.status).toBe(429);
    expect(overV1.retryAfter).toBe('5');
    expect(overV1.body.errors?.[0]).toMatchObject({ code: 'rateLimitExceeded', limitName: 'maxQueuedJobs' });
    expect(await countWorkflows(temporal, who.slots.tenant)).toBe(2);

    // A batch is checked whole: none of its tasks starts.
    const batch = await v1Raw(url, who.slots.key, [task(), task()]);
    expect(batch.status).toBe(429);
    expect(await countWorkflows(temporal, who.slots.tenant)).toBe(2);

    // The first still runs: the refusals above were the limit's, not a race with a job's end.
    const open = `WorkflowType='photoMakerJob' AND ExecutionStatus='Running'`;
    expect((await temporal.workflow.count(`${open} AND PhotoMakerTenant='${who.slots.tenant}'`)).count).toBe(
      2,
    );
    // The jobs end (the second's images without latency); the API that started them releases their
    // places, and a batch of 2 fits again.
    await setEmulatorLatency(0);
    const two = await eventually(
      async () => {
        const attempt = await v1Raw(url, who.slots.key, [task(), task()]);
        return attempt.status === 200 ? attempt : undefined;
      },
      30_000,
      250,
    );
    expect(two.body.data).toHaveLength(2);
    // Visibility is written after the start, asynchronously: a loaded dev server showed 3 for a moment.
    await vi.waitFor(async () => expect(await countWorkflows(temporal, who.slots.tenant)).toBe(4), {
      timeout: 10_000,
    });
  });

  it('queues a job over the global in-flight budget instead of refusing it: it starts when the slot frees', async () => {
    const who = tenants('first', 'second');
    const { url } = await api(who, { PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT: '1' });
    await setEmulatorLatency(1_500);
    const first = await gql<{ generatePhotoMaker: { id: string } }>(url, who.first.key, GENERATE, {
      input: baseInput(),
    });
    expect(first.errors).toBeUndefined();
    const second = await gql<{ generatePhotoMaker: { id: string; status: string } }>(
      url,
      who.second.key,
      GENERATE,
      { input: baseInput() },
    );
    expect(second.errors).toBeUndefined();
    expect(second.data?.generatePhotoMaker.status).toBe('QUEUED');
    const status = async (key: string, id: string) => {
      const read = await gql<{
        job: { status: string; startedAt: string | null; finishedAt: string | null };
      }>(url, key, 'query($id: ID!) { job(id: $id) { status startedAt finishedAt } }', { id });
      return read.data?.job;
    };
    const firstId = first.data?.generatePhotoMaker.id as string;
    const secondId = second.data?.generatePhotoMaker.id as string;
    // While the first runs, the second waits (it has not started).
    await eventually(async () => (await status(who.first.key, firstId))?.status === 'RUNNING', 20_000, 50);
    expect((await status(who.second.key, secondId))?.status).toBe('QUEUED');
    const firstDone = await eventually(async () => {
      const job = await status(who.first.key, firstId);
      return job?.status === 'SUCCEEDED' ? job : undefined;
    }, 30_000);
    const secondDone = await eventually(async () => {
      const job = await status(who.second.key, secondId);
      return job?.status === 'SUCCEEDED' ? job : undefined;
    }, 30_000);
    expect(Date.parse(secondDone.startedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(firstDone.finishedAt as string) - 1_000,
    );
  });
});
