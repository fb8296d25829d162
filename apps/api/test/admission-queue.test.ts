import { fetch } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  baseInput,
  eventually,
  GENERATE,
  gql,
  setEmulatorLatency,
  stack,
  startApi,
  startApiProcess,
  tenants,
} from './helpers.ts';

// The admission queue end to end (real API, Temporal, the worker's admission workflow, the emulator): jobs
// beyond a running limit wait and start in order as slots free, by priority within a tenant, round-robin
// across tenants; a queued job cancelled or past its deadline costs nothing; a queued job survives an API
// restart. The worker's SIGKILL is apps/worker/test/admission-durability.test.ts.

type JobView = {
  id: string;
  status: string;
  runwareTaskUUID: string;
  startedAt: string | null;
  finishedAt: string | null;
};
const JOB = 'query($id: ID!) { job(id: $id) { id status runwareTaskUUID startedAt finishedAt } }';
const CANCEL = 'mutation($id: ID!) { cancelJob(id: $id) { id status } }';

const apis: { close(): Promise<void> }[] = [];
async function api(keys: Parameters<typeof startApi>[0], env: Record<string, string>) {
  const started = await startApi(keys, env);
  apis.push(started.server);
  return started.url;
}

afterEach(async () => setEmulatorLatency(0));
afterAll(async () => {
  for (const server of apis) await server.close();
});

async function submit(url: string, key: string, input: Record<string, unknown>): Promise<string> {
  const result = await gql<{ generatePhotoMaker: { id: string } }>(url, key, GENERATE, { input });
  if (!result.data?.generatePhotoMaker) throw new Error(JSON.stringify(result.errors));
  return result.data.generatePhotoMaker.id;
}

async function job(url: string, key: string, id: string): Promise<JobView> {
  const result = await gql<{ job: JobView }>(url, key, JOB, { id });
  return result.data?.job as JobView;
}

async function finished(url: string, key: string, id: string, timeoutMs = 60_000): Promise<JobView> {
  return eventually(
    async () => {
      const view = await job(url, key, id);
      return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(view?.status) ? view : undefined;
    },
    timeoutMs,
    200,
  );
}

/** Ids in the order their jobs started (startedAt). */
const startOrder = (views: JobView[]) =>
  [...views].sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? '')).map((v) => v.id);

/** Whether the emulator ever saw the task: a job that never reached Runware was charged nothing. */
async function emulatorSaw(taskUUID: string): Promise<boolean> {
  const response = await fetch(`${stack().emulatorUrl}/admin/inspect/tasks/${taskUUID}`);
  await response.arrayBuffer();
  return response.status !== 404;
}

describe('jobs over maxRunningJobs', () => {
  it('wait and start one at a time in order; within the tenant HIGH before NORMAL before LOW', async () => {
    const who = tenants('order');
    const url = await api(who, { PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1' });
    const key = who.order.key;
    await setEmulatorLatency(2_000);
    const first = await submit(url, key, baseInput());
    // The first holds the slot before the others ask: a job asks from its workflow's first task, so
    // without this wait a slow first task lets the later requests reach admission in the same batch
    // (and HIGH, or whichever came first, takes the free slot).
    await eventually(async () => (await job(url, key, first)).status === 'RUNNING', 20_000, 50);
    // Queued while the first runs: submitted LOW, NORMAL, HIGH, NORMAL.
    const low = await submit(url, key, baseInput({ priority: 'LOW' }));
    const normal1 = await submit(url, key, baseInput());
    const high = await submit(url, key, baseInput({ priority: 'HIGH' }));
    const normal2 = await submit(url, key, baseInput({ priority: 'NORMAL' }));
    expect((await job(url, key, low)).status).toBe('QUEUED');
    const views = [];
    for (const id of [first, low, normal1, high, normal2]) views.push(await finished(url, key, id));
    for (const view of views) expect(view.status).toBe('SUCCEEDED');
    expect(startOrder(views)).toEqual([first, high, normal1, normal2, low]);
    // One at a time: each started after the one before it finished.
    const ordered = [...views].sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''));
    for (let i = 1; i < ordered.length; i++)
      expect(Date.parse(ordered[i]?.startedAt ?? '')).toBeGreaterThanOrEqual(
        Date.parse(ordered[i - 1]?.finishedAt ?? '') - 1_000,
      );
  });

  it('a bad priority is refused naming the field, before anything starts', async () => {
    const who = tenants('badpriority');
    const url = await api(who, {});
    const result = await gql(url, who.badpriority.key, GENERATE, {
      input: baseInput({ priority: 'URGENT' }),
    });
    expect(result.errors?.[0]?.message).toMatch(/URGENT/);
  });
});

describe('fairness across tenants under the global budget', () => {
  it("a flooder's queued jobs do not hold back a lone tenant's job: it takes the next free slot", async () => {
    const who = tenants('flooder', 'lone');
    const url = await api(who, { PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT: '1' });
    await setEmulatorLatency(500);
    const flood: string[] = [];
    for (let i = 0; i < 6; i++) flood.push(await submit(url, who.flooder.key, baseInput()));
    await eventually(async () => (await job(url, who.flooder.key, flood[0] as string)).status === 'RUNNING');
    const lone = await submit(url, who.lone.key, baseInput());
    const loneView = await finished(url, who.lone.key, lone);
    const floodViews = [];
    for (const id of flood) floodViews.push(await finished(url, who.flooder.key, id));
    // At most the flooder's running job and the one granted with it start before the lone job.
    const before = floodViews.filter(
      (v) => Date.parse(v.startedAt ?? '') < Date.parse(loneView.startedAt ?? ''),
    );
    expect(before.length).toBeLessThanOrEqual(2);
    expect(floodViews.filter((v) => v.status === 'SUCCEEDED')).toHaveLength(6);
  });
});

describe('a queued job', () => {
  it('cancelled: CANCELLED at once, never sent to Runware (nothing charged); the next one still runs', async () => {
    const who = tenants('cancelq');
    const url = await api(who, { PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1' });
    const key = who.cancelq.key;
    await setEmulatorLatency(1_500);
    const running = await submit(url, key, baseInput({ numberResults: 2 }));
    const queued = await submit(url, key, baseInput());
    const after = await submit(url, key, baseInput());
    const cancel = await gql(url, key, CANCEL, { id: queued });
    expect(cancel.errors).toBeUndefined();
    const view = await finished(url, key, queued, 10_000);
    expect(view.status).toBe('CANCELLED');
    expect(await emulatorSaw(view.runwareTaskUUID)).toBe(false);
    expect((await finished(url, key, running)).status).toBe('SUCCEEDED');
    expect((await finished(url, key, after)).status).toBe('SUCCEEDED');
  });

  it('past its cancelAfter: CANCELLED, never sent to Runware', async () => {
    const who = tenants('deadlineq');
    const url = await api(who, { PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1' });
    const key = who.deadlineq.key;
    await setEmulatorLatency(2_000);
    await submit(url, key, baseInput({ numberResults: 2 }));
    const queued = await submit(url, key, baseInput({ cancelAfter: '2s' }));
    const view = await finished(url, key, queued, 15_000);
    expect(view.status).toBe('CANCELLED');
    expect(await emulatorSaw(view.runwareTaskUUID)).toBe(false);
    expect(Date.parse(view.finishedAt ?? '')).toBeGreaterThan(0);
  });

  it('survives an API restart (the process killed) and starts in order', async () => {
    const who = tenants('restart');
    const env = { PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1' };
    const key = who.restart.key;
    await setEmulatorLatency(800);
    const first = await startApiProcess(who, env);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await submit(first.url ?? '', key, baseInput()));
    expect((await job(first.url ?? '', key, ids[2] as string)).status).toBe('QUEUED');
    await first.kill();
    const second = await startApiProcess(who, env);
    try {
      const views = [];
      for (const id of ids) views.push(await finished(second.url ?? '', key, id));
      for (const view of views) expect(view.status).toBe('SUCCEEDED');
      expect(startOrder(views)).toEqual(ids);
    } finally {
      await second.stop();
    }
  });
});
