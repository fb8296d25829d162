import { randomInt } from 'node:crypto';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, eventually, GENERATE, gql, stack, startApi, tenants } from './helpers.ts';

// Usage on the real stack (Temporal, worker, Redis, emulator): the worker records each job's usage as it
// ends, the `usage` query reads it, and its totals equal what the emulator's accountManagement
// getUsageActivity says Runware charged for the same period (filtered to this file's own model, as
// other files share the emulator). Jobs: one plain (two images, a Runware task each), one whose
// submission is retried by the worker (the connection drops after Runware accepted it), one that fails
// with one of its two images made, and the retryJob of that failed one.
const who = tenants('payer', 'boss', 'stranger');
let api: Awaited<ReturnType<typeof startApi>>;
const MODEL = `civitai:${randomInt(100_000, 999_999)}@${randomInt(100_000, 999_999)}`;
const today = () => new Date().toISOString().slice(0, 10);
const period = () => ({
  from: new Date(Date.now() - 86_400_000).toISOString(),
  to: new Date(Date.now() + 86_400_000).toISOString(),
});

interface Job {
  id: string;
  status: string;
  cost: number | null;
  runwareTaskUUID: string;
  images: { cost: number | null }[];
  task: { inputImages: { sha256: string | null }[] };
  retryOfId: string | null;
  retryOf: { id: string } | null;
  retries: { id: string }[];
}
const FIELDS =
  'id status cost runwareTaskUUID images { cost } task { inputImages { sha256 } } retryOfId retryOf { id } retries { id }';
const TOTALS =
  'jobs { succeeded failed cancelled timedOut total } images costUsd imagesWithoutCost jobsWithoutCost';
const USAGE = `query($from: DateTime!, $to: DateTime!, $groupBy: UsageGroupBy!) {
  usage(from: $from, to: $to, groupBy: $groupBy) {
    allTenants rows { tenant key totals { ${TOTALS} } } tenants { tenant total { ${TOTALS} } } total { ${TOTALS} }
  }
}`;

interface Totals {
  jobs: { succeeded: number; failed: number; cancelled: number; timedOut: number; total: number };
  images: number;
  costUsd: number;
  imagesWithoutCost: number;
  jobsWithoutCost: number;
}
interface Report {
  allTenants: boolean;
  rows: { tenant: string; key: string; totals: Totals }[];
  tenants: { tenant: string; total: Totals }[];
  total: Totals;
}

async function faults(scripted: unknown[]): Promise<void> {
  const response = await fetch(`${stack().emulatorUrl}/admin/faults`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scripted }),
  });
  expect(response.status).toBe(200);
}

const PHOTOMAKER = { taskType: ['photoMaker', 'imageInference'] };

async function job(key: string, id: string): Promise<Job | undefined> {
  const { data } = await gql<{ job: Job | null }>(
    api.url,
    key,
    `query($id: ID!) { job(id: $id) { ${FIELDS} } }`,
    {
      id,
    },
  );
  return data?.job ?? undefined;
}

async function finished(key: string, id: string): Promise<Job> {
  return eventually(async () => {
    const state = await job(key, id);
    if (!state || !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(state.status))
      throw new Error(`${id} running`);
    return state;
  }, 60_000);
}

async function submit(key: string, input: Record<string, unknown>): Promise<string> {
  const { data, errors } = await gql<{ generatePhotoMaker: { id: string } }>(api.url, key, GENERATE, {
    input: baseInput({ model: MODEL, width: 256, height: 256, ...input }),
  });
  expect(errors).toBeUndefined();
  return data?.generatePhotoMaker.id ?? '';
}

async function usage(key: string, groupBy: 'DAY' | 'MODEL' | 'KEY'): Promise<Report> {
  const { data, errors } = await gql<{ usage: Report }>(api.url, key, USAGE, { ...period(), groupBy });
  expect(errors).toBeUndefined();
  return data?.usage as Report;
}

/** What Runware (the emulator) says it charged today for this file's model. */
async function runwareActivity() {
  const response = await fetch(`${stack().runwareBaseUrl}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack().env.RUNWARE_API_KEY}` },
    body: JSON.stringify([
      {
        taskType: 'accountManagement',
        taskUUID: crypto.randomUUID(),
        operation: 'getUsageActivity',
        startDate: today(),
        endDate: today(),
        groupBy: ['model'],
        models: [MODEL],
      },
    ]),
  });
  const body = (await response.json()) as {
    data: {
      usage: { model: { meta: { totalResults: number; totalSpend: number; totalRequests: number } } };
    }[];
  };
  return body.data[0]?.usage.model.meta;
}

const ids: Record<'plain' | 'resent' | 'failed' | 'retry', string> = {
  plain: '',
  resent: '',
  failed: '',
  retry: '',
};

beforeAll(async () => {
  api = await startApi(who, { PHOTOMAKER_ADMIN_TENANTS: who.boss.tenant });
  const key = who.payer.key;
  // includeCost not asked: the worker asks Runware anyway, so usage has the cost.
  ids.plain = await submit(key, { numberResults: 2, includeCost: false });
  await finished(key, ids.plain);
  // Accepted and charged, then the connection drops: the worker's retry re-sends the same taskUUID.
  await faults([{ match: PHOTOMAKER, count: 1, fault: { kind: 'reset', when: 'afterAccept' } }]);
  ids.resent = await submit(key, { numberResults: 1 });
  await finished(key, ids.resent);
  // One Runware task per image, sent in order: image 0's task fails with a code not worth a new task,
  // image 1's (sent before that failure is known) is collected: the job fails holding one charged image.
  await faults([
    {
      match: PHOTOMAKER,
      count: 1,
      fault: { kind: 'generationError', code: 'contentModerated', message: 'flagged', images: [0] },
    },
  ]);
  ids.failed = await submit(key, { numberResults: 2, includeCost: true });
  await finished(key, ids.failed);
}, 180_000);

afterAll(async () => {
  await api?.server.close();
});

describe('retryJob', () => {
  it('refuses a job that succeeded, naming id and the rule; another tenant gets NOT_FOUND', async () => {
    const mutation = 'mutation($id: ID!) { retryJob(id: $id) { id } }';
    const refused = await gql(api.url, who.payer.key, mutation, { id: ids.plain });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refused.errors?.[0]?.message).toMatch(/SUCCEEDED; only a FAILED, CANCELLED or timed-out job/);
    const foreign = await gql(api.url, who.stranger.key, mutation, { id: ids.failed });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('makes a new job from a failed one: same references, new ids, linked both ways', async () => {
    const failed = await finished(who.payer.key, ids.failed);
    expect([failed.status, failed.images.length]).toEqual(['FAILED', 1]);
    const { data, errors } = await gql<{ retryJob: Job }>(
      api.url,
      who.payer.key,
      `mutation($id: ID!) { retryJob(id: $id, idempotencyKey: "retry-1") { ${FIELDS} } }`,
      { id: ids.failed },
    );
    expect(errors).toBeUndefined();
    const retry = data?.retryJob as Job;
    ids.retry = retry.id;
    expect(retry.id).not.toBe(failed.id);
    expect(retry.runwareTaskUUID).not.toBe(failed.runwareTaskUUID);
    expect(retry.task.inputImages.map((image) => image.sha256)).toEqual(
      failed.task.inputImages.map((image) => image.sha256),
    );
    expect([retry.retryOfId, retry.retryOf?.id]).toEqual([failed.id, failed.id]);
    const done = await finished(who.payer.key, retry.id);
    expect([done.status, done.images.length]).toEqual(['SUCCEEDED', 2]);
    expect((await job(who.payer.key, failed.id))?.retries.map((r) => r.id)).toEqual([retry.id]);
    // The same idempotency key gives the same retry back, not a third job.
    const again = await gql<{ retryJob: { id: string } }>(
      api.url,
      who.payer.key,
      'mutation($id: ID!) { retryJob(id: $id, idempotencyKey: "retry-1") { id } }',
      { id: ids.failed },
    );
    expect(again.data?.retryJob.id).toBe(retry.id);
  });
});

describe('usage', () => {
  it("equals what Runware reports for the same period (the file's model): images once, cost to the nano-USD", async () => {
    const plain = await finished(who.payer.key, ids.plain);
    // The job did not ask for cost; its images still carry Runware's (what usage sums).
    expect(plain.cost).toBeNull();
    const ours = await eventually(async () => {
      const report = await usage(who.payer.key, 'MODEL');
      const row = report.rows.find((r) => r.key === MODEL);
      if ((row?.totals.jobs.total ?? 0) < 4) throw new Error('usage not recorded yet');
      return row?.totals as Totals;
    }, 30_000);
    expect(ours.jobs).toEqual({ succeeded: 3, failed: 1, cancelled: 0, timedOut: 0, total: 4 });
    // 2 + 1 + 1 (the failed job's first image) + 2: the re-sent submission counted once.
    expect([ours.images, ours.imagesWithoutCost, ours.jobsWithoutCost]).toEqual([6, 0, 0]);
    const runware = await runwareActivity();
    expect(runware?.totalResults).toBe(ours.images);
    expect(Math.round(ours.costUsd * 1e9)).toBe(Math.round((runware?.totalSpend ?? -1) * 1e9));
    expect(ours.costUsd).toBeGreaterThan(0);
  });

  it('groups by day and by key id (never the key); refuses a range over 366 days or backwards', async () => {
    const byDay = await usage(who.payer.key, 'DAY');
    expect(byDay.allTenants).toBe(false);
    expect(byDay.rows.map((row) => [row.tenant, row.key])).toEqual([[who.payer.tenant, today()]]);
    const byKey = await usage(who.payer.key, 'KEY');
    expect(byKey.rows).toHaveLength(1);
    expect(byKey.rows[0]?.key).toMatch(/^[0-9a-f]{12}$/);
    expect(JSON.stringify(byKey)).not.toContain(who.payer.key);
    const long = await gql(api.url, who.payer.key, USAGE, {
      from: '2024-01-01T00:00:00Z',
      to: '2025-06-01T00:00:00Z',
      groupBy: 'DAY',
    });
    expect(long.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(long.errors?.[0]?.message).toMatch(/at most 366 days/);
    const backwards = await gql(api.url, who.payer.key, USAGE, {
      from: '2026-02-01T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
      groupBy: 'DAY',
    });
    expect(backwards.errors?.[0]?.message).toMatch(/'to'.*after from/);
  });

  it('a tenant sees only itself; an admin key sees every tenant and a total', async () => {
    const stranger = await usage(who.stranger.key, 'DAY');
    expect([stranger.rows, stranger.total.jobs.total]).toEqual([[], 0]);
    const admin = await usage(who.boss.key, 'MODEL');
    expect(admin.allTenants).toBe(true);
    const payer = admin.tenants.find((entry) => entry.tenant === who.payer.tenant);
    expect(payer?.total.jobs.total).toBe(4);
    expect(admin.rows.some((row) => row.tenant === who.payer.tenant && row.key === MODEL)).toBe(true);
    // The total is every tenant's: at least this file's jobs (other files' jobs share the day).
    expect(admin.total.jobs.total).toBeGreaterThanOrEqual(4);
    const sum = admin.tenants.reduce((n, entry) => n + entry.total.images, 0);
    expect(admin.total.images).toBe(sum);
  });
});
