import { randomUUID } from 'node:crypto';
import { RunwareClientError } from '@photomaker/runware';
import type { JobState } from '@photomaker/schema';
import { DEADLINE_REASON } from '@photomaker/schema/job';
import {
  admissionWorkflowId,
  type JobAdmission,
  type PhotoMakerJobInput,
  queueStatusesQuery,
  releaseSlotSignal,
  requestSlotSignal,
  type SlotRequest,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { Context } from '@temporalio/activity';
import { CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toActivityFailure } from '../src/activities/failures.ts';
import { PhotoMakerWorkers } from '../src/worker.ts';
import type { AdmissionWorkflowInput } from '../src/workflows/admission/workflow.ts';
import { admissionTaskQueue } from '../src/workflows/task-queues.ts';
import { task, untilHistoryHas } from './support/job-runner.ts';
import { type StepScript, StubActivities } from './support/stub-activities.ts';
import { createTimeSkippingEnv } from './support/time-skipping.ts';

// The admission workflow's branches on a time-skipping server, with the real job workflow (stub Runware
// steps) asking it for slots: order under a tenant limit, carry-over through continueAsNew, duplicate and
// unknown signals, a re-sent grant, cancel and deadline while queued, and a hold whose release was lost.

const MINUTE = 60_000;
const MAX_HOLD_MS = 20 * MINUTE;

let env: TestWorkflowEnvironment;
let workers: PhotoMakerWorkers;
let running: Promise<void>;
const taskQueue = `photomaker-admission-${randomUUID().slice(0, 8)}`;
const admissionId = admissionWorkflowId(taskQueue);
/** Jobs whose Runware step waits (heartbeating) until taken out of this set. */
const held = new Set<string>();

/** Makes the job's two images, after waiting while the test holds it; a single-image job is rate limited. */
const step: StepScript = async (call, fake) => {
  if (call.numberResults === 1) throw rateLimited(10 * 60 * MINUTE);
  const ctx = Context.current();
  while (held.has(call.jobId)) {
    ctx.heartbeat();
    await ctx.sleep(20);
  }
  return fake.images(2, { done: true });
};
function rateLimited(retryAfterMs: number) {
  return toActivityFailure(
    new RunwareClientError({
      message: 'slow down',
      category: 'rateLimit',
      retryable: true,
      code: 'rateLimited',
      retryAfterMs,
    }),
  );
}
const stubs = new StubActivities({ steps: [step] });
stubs.total = 2;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  workers = await PhotoMakerWorkers.create({
    connection: env.nativeConnection,
    taskQueue,
    dataConverter: {},
    activities: stubs.activities(),
    workflows: { workflowBundle: { codePath: inject('workflowBundlePath') } },
    tuning: { shutdownGraceMs: 500 },
  });
  running = workers.run();
  // Started by the test (the first job's signalWithStart would start it otherwise): a short history bound,
  // so the runs below continue as new several times, and a short hold.
  const input: AdmissionWorkflowInput = {
    config: { maxHistoryEvents: 60, maxHoldMs: MAX_HOLD_MS, defaultImageMs: 1000 },
  };
  await env.client.workflow.start('photoMakerAdmission', {
    taskQueue: admissionTaskQueue(taskQueue),
    workflowId: admissionId,
    args: [input],
  });
});

afterAll(async () => {
  workers?.shutdown();
  await running?.catch(() => undefined);
  await env?.teardown();
});

const admission = () => env.client.workflow.getHandle(admissionId);
const firstCalls = () => [...new Set(stubs.calls.map((call) => call.jobId))];

/** A job asking for a slot (limit 1 unless `extra` says), or, with `extra` null, one that never asks. */
async function startJob(tenant: string, extra: Partial<JobAdmission> | null = {}, cancelAfterMs?: number) {
  const input: PhotoMakerJobInput = {
    jobId: randomUUID(),
    tenant,
    task: task({ numberResults: extra ? 2 : 1 }),
    runwareTaskUUID: randomUUID(),
    createdAt: new Date(await env.currentTimeMs()).toISOString(),
    ...(extra ? { admission: { priority: 'NORMAL' as const, weight: 1, maxRunningJobs: 1, ...extra } } : {}),
    ...(cancelAfterMs !== undefined
      ? { cancelAt: new Date((await env.currentTimeMs()) + cancelAfterMs).toISOString() }
      : {}),
  };
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: workflowIdForJob(input.jobId),
    args: [input],
    // The longest Temporal allows (10 s by default): a workflow task whose local activities (slot request,
    // release) run while the test server skips time, or on a loaded CI machine, must not time out and run
    // again and again (in CI these cases timed out now and then; alone they pass in well under a second).
    workflowTaskTimeout: '2 minutes',
  });
  return { input, handle };
}

const outcome = (handle: WorkflowHandle) =>
  (handle.result() as Promise<JobState>).catch((error: unknown) => {
    if (error instanceof WorkflowFailedError) return error;
    throw error;
  });

/**
 * The outcome once the workflow closed, waited for in real time. Awaiting result() lets the test server
 * skip time; with nothing else running, it skips past the job's workflow task timeout while that task
 * runs a local activity (slow on a loaded machine: the slot release is one too), and the task fails over
 * and over. Every job that runs to its end here is awaited this way.
 */
async function closedOutcome(handle: WorkflowHandle) {
  while ((await handle.describe()).status.name === 'RUNNING')
    await new Promise((resolve) => setTimeout(resolve, 20));
  return outcome(handle);
}

async function statuses(ids: string[]) {
  return admission().query(queueStatusesQuery, ids);
}

/** Polls (real time) until the job's slot request, a local activity, is recorded (its marker; patches are markers too). */
async function untilSlotRequested(handle: WorkflowHandle): Promise<void> {
  for (;;) {
    const { events } = await handle.fetchHistory();
    const marker = (event: (typeof events & {})[number]) => event.markerRecordedEventAttributes?.markerName;
    if (events?.some((event) => marker(event) === 'core_local_activity')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Polls (real time) until the query answers what `ready` wants. */
async function untilStatuses(ids: string[], ready: (s: Awaited<ReturnType<typeof statuses>>) => boolean) {
  for (;;) {
    const s = await statuses(ids);
    if (ready(s)) return s;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function slotRequest(jobId: string, tenant: string, maxRunningJobs: number): SlotRequest {
  return {
    jobId,
    tenant,
    priority: 'NORMAL',
    weight: 1,
    maxRunningJobs,
    service: { model: 'm', width: 128, height: 128, numberResults: 1 },
    requestedAt: new Date().toISOString(),
  };
}

describe('jobs under a tenant limit of 1', () => {
  it('run one at a time in order, across several continueAsNew runs that carry the queue', async () => {
    const tenant = `serial-${randomUUID().slice(0, 6)}`;
    const first = await startJob(tenant);
    held.add(first.input.jobId);
    const rest = [];
    for (let i = 0; i < 6; i++) rest.push(await startJob(tenant));
    const ids = rest.map((job) => job.input.jobId);
    // The first holds the only slot; the rest wait in order.
    const queued = await untilStatuses(ids, (s) => s.length === 6 && s.every((x) => x.state === 'queued'));
    expect(queued.map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Date.parse(queued[1]?.estimatedStartAt ?? '')).toBeGreaterThan(
      Date.parse(queued[0]?.estimatedStartAt ?? ''),
    );
    const firstRun = (await admission().describe()).runId;
    held.delete(first.input.jobId);
    // One at a time: the test server counts each awaited result as a time-skipping unlock.
    for (const job of [first, ...rest])
      expect(await closedOutcome(job.handle)).toMatchObject({ status: 'SUCCEEDED' });
    expect(firstCalls().filter((id) => [first.input.jobId, ...ids].includes(id))).toEqual([
      first.input.jobId,
      ...ids,
    ]);
    // The history bound (60 events) was passed: the queue lives on in a later run, with nothing left.
    expect((await admission().describe()).runId).not.toBe(firstRun);
    expect(await statuses([first.input.jobId, ...ids])).toEqual([]);
  });

  it('a slot whose holder never releases it (a workflow stuck elsewhere) is freed after maxHoldMs', async () => {
    const tenant = `lost-${randomUUID().slice(0, 6)}`;
    // A job without admission info, asleep in a 10-hour Retry-After (no activity running), is granted a
    // slot it never asked for and so never gives back.
    const stuck = await startJob(tenant, null);
    await untilHistoryHas(stuck.handle, 'timerStartedEventAttributes');
    await admission().signal(requestSlotSignal, slotRequest(stuck.input.jobId, tenant, 1));
    await untilStatuses([stuck.input.jobId], (s) => s[0]?.state === 'running');
    const next = await startJob(tenant);
    await untilStatuses([next.input.jobId], (s) => s[0]?.state === 'queued');
    // Its slot request (a local activity) recorded before time skips (see the deadline case below).
    await untilSlotRequested(next.handle);
    await env.sleep(MAX_HOLD_MS + 10 * MINUTE);
    expect(((await closedOutcome(next.handle)) as JobState).status).toBe('SUCCEEDED');
    expect(await statuses([stuck.input.jobId, next.input.jobId])).toEqual([]);
    await stuck.handle.terminate('test over');
    // Real-time waits after the skip, as in the deadline case: more than the default 30 s on a loaded machine.
  }, 120_000);
});

describe('signals', () => {
  it('a duplicate request queues a job once; a release of an unknown job changes nothing', async () => {
    const tenant = `dups-${randomUUID().slice(0, 6)}`;
    // Limit 0: nothing of this tenant ever starts, so the queue can be read at rest.
    await admission().signal(requestSlotSignal, slotRequest('dup-a', tenant, 0));
    await admission().signal(requestSlotSignal, slotRequest('dup-a', tenant, 0));
    await admission().signal(requestSlotSignal, slotRequest('dup-b', tenant, 0));
    const before = await untilStatuses(['dup-a', 'dup-b'], (s) => s.length === 2);
    expect(before.map((s) => [s.jobId, s.state])).toEqual([
      ['dup-a', 'queued'],
      ['dup-b', 'queued'],
    ]);
    await admission().signal(releaseSlotSignal, { jobId: 'ghost', ranMs: 5 });
    expect(await statuses(['dup-a', 'dup-b', 'ghost'])).toEqual(before);
    // A release of a queued job takes it out.
    await admission().signal(releaseSlotSignal, { jobId: 'dup-a' });
    await untilStatuses(['dup-a', 'dup-b'], (s) => s.length === 1 && s[0]?.jobId === 'dup-b');
    await admission().signal(releaseSlotSignal, { jobId: 'dup-b' });
  });

  it('a grant to a job whose workflow does not exist frees the slot again', async () => {
    const tenant = `ghost-${randomUUID().slice(0, 6)}`;
    await admission().signal(requestSlotSignal, slotRequest('no-such-job', tenant, 1));
    const real = await startJob(tenant);
    expect(((await closedOutcome(real.handle)) as JobState).status).toBe('SUCCEEDED');
    expect(await statuses(['no-such-job', real.input.jobId])).toEqual([]);
  });

  it('a request of a running job sends its grant again (the job takes the first)', async () => {
    const tenant = `regrant-${randomUUID().slice(0, 6)}`;
    const job = await startJob(tenant);
    held.add(job.input.jobId);
    await untilStatuses([job.input.jobId], (s) => s[0]?.state === 'running');
    await admission().signal(requestSlotSignal, slotRequest(job.input.jobId, tenant, 1));
    const grants = async () => {
      const { events } = await job.handle.fetchHistory();
      return (events ?? []).filter(
        (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'slotGranted',
      ).length;
    };
    while ((await grants()) < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    held.delete(job.input.jobId);
    expect(((await closedOutcome(job.handle)) as JobState).status).toBe('SUCCEEDED');
    expect(await statuses([job.input.jobId])).toEqual([]);
  });
});

describe('a queued job', () => {
  it('cancelled: ends CANCELLED, never reaches Runware, and leaves the queue', async () => {
    const tenant = `cancel-${randomUUID().slice(0, 6)}`;
    const job = await startJob(tenant, { maxRunningJobs: 0 });
    await untilStatuses([job.input.jobId], (s) => s[0]?.state === 'queued');
    await job.handle.cancel();
    const result = await closedOutcome(job.handle);
    expect((result as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(stubs.calls.filter((call) => call.jobId === job.input.jobId)).toEqual([]);
    expect(stubs.stream(job.input.jobId).map((event) => event.stage)).toEqual(['queued', 'cancelled']);
    expect(await statuses([job.input.jobId])).toEqual([]);
  }, 120_000);

  it('past its deadline: ends CANCELLED with the deadline reason, never reaches Runware, leaves the queue', async () => {
    const tenant = `deadline-${randomUUID().slice(0, 6)}`;
    const job = await startJob(tenant, { maxRunningJobs: 0 }, 5 * MINUTE);
    // Queued with its deadline timer set and its slot request (a local activity) recorded, then the clock
    // moves past the deadline. Skipping time while that local activity still ran (a slow, loaded machine)
    // skipped past its workflow task's timeout too, and the task failed over and over (see closedOutcome).
    await untilHistoryHas(job.handle, 'timerStartedEventAttributes');
    await untilSlotRequested(job.handle);
    await env.sleep(5 * MINUTE + 1_000);
    const state = (await closedOutcome(job.handle)) as JobState;
    expect(state.status).toBe('CANCELLED');
    const events = stubs.stream(job.input.jobId);
    expect(events.map((event) => event.stage)).toEqual(['queued', 'cancelled']);
    expect(events[1]).toMatchObject({ data: { reason: DEADLINE_REASON } });
    expect(stubs.calls.filter((call) => call.jobId === job.input.jobId)).toEqual([]);
    await untilStatuses([job.input.jobId], (s) => s.length === 0);
    // Real-time waits after the skip: a CI machine running other suites needs more than the default 30 s.
  }, 120_000);
});
