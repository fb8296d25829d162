import { DEADLINE_REASON } from '@photomaker/schema/job';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryInput } from '../src/activities/types.ts';
import {
  failedState,
  failure,
  makes,
  type Ran,
  type RunningJob,
  runJob as runOn,
  stages,
  streamOf,
  succeeded,
  task,
  until,
  untilHistoryHas,
} from './support/job-runner.ts';
import { rateLimited, type StepScript, StubActivities } from './support/stub-activities.ts';
import { createTimeSkippingEnv } from './support/time-skipping.ts';

// The workflow's branches that wait on time (the generation budget, Retry-After, retry backoffs, a
// cancellation during a wait), with stub activities on a time-skipping test server: its clock jumps to
// the next timer whenever a result is awaited, so half an hour of workflow time takes seconds. It does
// not move while an activity runs, so a step stuck past the budget stays an in-process check
// (workflow-failures.test.ts). The branches without waits run on the dev server
// (workflow-branches.test.ts); the real-stack suites stay as they are.

const MINUTE = 60_000;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

const runJob = (
  stubs: StubActivities,
  jobTask: Parameters<typeof runOn>[2],
  during?: (handle: RunningJob) => Promise<void>,
  options?: { cancelAfterMs?: number },
): Promise<Ran> => runOn(env, stubs, jobTask, during, options);

/** A Runware step that keeps failing with a transient error. */
const unavailable: StepScript = async () => {
  throw ApplicationFailure.retryable('Runware answered HTTP 503', 'serverError');
};

/** A receiver that is down for its first `failures` deliveries. */
function receiverDown(failures = Number.POSITIVE_INFINITY) {
  let seen = 0;
  return async (input: DeliveryInput) => {
    seen += 1;
    if (seen <= failures) throw new Error('connect ECONNREFUSED');
    return { status: 200, deliveryId: `d-${input.image.index}`, attempt: seen };
  };
}

describe('the generation budget (30 minutes, skipped)', () => {
  it('spent before a step: a Retry-After of 31 minutes outlasts it; no follow-up run starts, generationTimeout', async () => {
    const limited: StepScript = async () => {
      throw rateLimited(31 * MINUTE);
    };
    const steps = [limited, makes(0, [{ code: 'timeoutProvider', retryable: true }])];
    const ran = await runJob(new StubActivities({ steps }), task());
    const jobFailure = failure(ran);
    expect(jobFailure.type).toBe('generationTimeout');
    expect(failedState(ran).error).toEqual({
      code: 'generationTimeout',
      message: 'Runware did not deliver every image within 30 minutes',
      retryable: true,
    });
    // The local step, then the task-queue step after the sleep; the follow-up run is never started.
    expect(ran.stubs.calls.map((call) => call.kind)).toEqual(['local', 'activity']);
    expect(ran.elapsedMs).toBeGreaterThanOrEqual(31 * MINUTE);
    expect(stages(streamOf(ran))).toEqual(['queued', 'failed']);
  });

  it('spent during a step: one failing transiently is retried with backoff until then, ending with its code', async () => {
    const ran = await runJob(new StubActivities({ steps: [unavailable] }), task({ numberResults: 2 }));
    // The retries stop at the step's schedule-to-close (the budget); the job keeps Runware's last error.
    expect(failedState(ran).error).toEqual({
      code: 'serverError',
      message: 'Runware answered HTTP 503',
      retryable: true,
    });
    // 0.5 s doubling to 30 s: a handful of quick attempts, then one every 30 s until 30 minutes are spent.
    expect(ran.stubs.calls.length).toBeGreaterThan(50);
    expect(ran.stubs.calls.length).toBeLessThan(70);
    expect(ran.elapsedMs).toBeGreaterThan(29 * MINUTE);
    expect(ran.elapsedMs).toBeLessThanOrEqual(31 * MINUTE);
  });
});

describe('Retry-After', () => {
  it('holds a per-image run’s next attempt (5 minutes), which then makes the images', async () => {
    const later: StepScript = async () => {
      throw rateLimited(5 * MINUTE);
    };
    const steps = [later, makes(2)];
    const ran = await runJob(new StubActivities({ steps }), task({ numberResults: 2 }));
    expect(succeeded(ran).images.map((image) => image.index)).toEqual([0, 1]);
    const [first, second] = ran.stubs.calls;
    // The run is retried as itself: same job taskUUID (its image tasks derive from it), same range.
    expect(first).toMatchObject({ perImage: true, numberResults: 2 });
    expect(second).toMatchObject({ taskUUID: first?.taskUUID, perImage: true, numberResults: 2 });
    expect(second?.range.firstSeq).toBe(first?.range.firstSeq);
    expect(ran.elapsedMs).toBeGreaterThanOrEqual(5 * MINUTE);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'image_ready', 'succeeded']);
  });

  it('of the single-image step: the workflow sleeps it out (10 minutes), then the task-queue step runs', async () => {
    const limited: StepScript = async () => {
      throw rateLimited(10 * MINUTE);
    };
    const ran = await runJob(new StubActivities({ steps: [limited, makes(1)] }), task());
    expect(succeeded(ran).images).toHaveLength(1);
    expect(ran.stubs.calls.map((call) => call.kind)).toEqual(['local', 'activity']);
    expect(ran.elapsedMs).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'succeeded']);
  });
});

describe('deliveries', () => {
  const withWebhook = () => task({ webhookURL: 'https://hooks.example.com/x' });

  it('a receiver that stays down: 12 attempts over ~18.5 minutes of backoff, then webhookDeliveryFailed', async () => {
    const stubs = new StubActivities({ steps: [makes(1)], deliver: receiverDown() });
    const ran = await runJob(stubs, withWebhook());
    const jobFailure = failure(ran);
    expect(jobFailure.type).toBe('webhookDeliveryFailed');
    const state = failedState(ran);
    expect([state.status, state.images.length, state.error?.parameter, state.error?.retryable]).toEqual([
      'FAILED',
      1,
      'webhookURL',
      true,
    ]);
    expect(stubs.deliveries).toHaveLength(12);
    // 1 + 2 + 4 + ... + 256 s, then 300 s twice: 1111 s between the 12 attempts.
    expect(ran.elapsedMs).toBeGreaterThanOrEqual(1111_000);
    expect(ran.elapsedMs).toBeLessThan(20 * MINUTE);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'delivering', 'failed']);
  });

  it('a receiver back after 4 failures: the fifth attempt delivers and the job succeeds', async () => {
    const stubs = new StubActivities({ steps: [makes(1)], deliver: receiverDown(4) });
    const ran = await runJob(stubs, withWebhook());
    expect(succeeded(ran).status).toBe('SUCCEEDED');
    expect(stubs.deliveries).toHaveLength(5);
    expect(ran.elapsedMs).toBeGreaterThanOrEqual(15_000);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'delivering', 'succeeded']);
  });
});

describe('cancellation during a wait', () => {
  it('in the single-image step’s Retry-After sleep: the task-queue step never runs; the job ends cancelled', async () => {
    const limited: StepScript = async (_call, step) => {
      step.append('submitted', { runwareTaskUUID: 'limited', numberResults: 1 });
      throw rateLimited(10 * MINUTE);
    };
    const stubs = new StubActivities({ steps: [limited, makes(1)] });
    const ran = await runJob(stubs, task(), async (handle) => {
      await untilHistoryHas(handle, 'timerStartedEventAttributes');
      await handle.cancel();
    });
    expect(ran.outcome).toBeInstanceOf(WorkflowFailedError);
    expect((ran.outcome as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(stubs.calls.map((call) => call.kind)).toEqual(['local']);
    expect(ran.elapsedMs).toBeLessThan(10 * MINUTE);
    expect(stages(streamOf(ran))).toEqual(['queued', 'submitted', 'cancelled']);
  });

  it('in a delivery’s retry backoff: no further attempt; the job ends cancelled', async () => {
    const stubs = new StubActivities({ steps: [makes(1)], deliver: receiverDown() });
    let attemptsAtCancel = 0;
    const ran = await runJob(stubs, task({ webhookURL: 'https://hooks.example.com/x' }), async (handle) => {
      await until(() => stubs.deliveries.length > 0);
      attemptsAtCancel = stubs.deliveries.length;
      await handle.cancel();
    });
    expect((ran.outcome as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(stubs.deliveries).toHaveLength(attemptsAtCancel);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'delivering', 'cancelled']);
  });
});

describe('cancelAfter (cancelAt in the job input)', () => {
  const cancelled = (ran: Ran) => {
    expect(ran.outcome).not.toBeInstanceOf(WorkflowFailedError);
    return ran.outcome as { status: string };
  };

  it('passing in a Retry-After sleep: the task-queue step never runs; CANCELLED with the reason, at the deadline', async () => {
    const limited: StepScript = async (_call, step) => {
      step.append('submitted', { runwareTaskUUID: 'limited', numberResults: 1 });
      throw rateLimited(10 * MINUTE);
    };
    const stubs = new StubActivities({ steps: [limited, makes(1)] });
    const ran = await runJob(stubs, task(), undefined, { cancelAfterMs: 2 * MINUTE });
    // The workflow completes (nobody cancelled it); the job's own state says CANCELLED.
    expect(cancelled(ran).status).toBe('CANCELLED');
    expect(stubs.calls.map((call) => call.kind)).toEqual(['local']);
    expect(ran.elapsedMs).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(ran.elapsedMs).toBeLessThan(3 * MINUTE);
    const events = streamOf(ran);
    expect(stages(events)).toEqual(['queued', 'submitted', 'cancelled']);
    expect(events.at(-1)?.data).toEqual({ reason: DEADLINE_REASON });
  });

  it('passing in a delivery’s retry backoff: no further attempt; CANCELLED with the reason', async () => {
    const stubs = new StubActivities({ steps: [makes(1)], deliver: receiverDown() });
    const withWebhook = task({ webhookURL: 'https://hooks.example.com/x' });
    const ran = await runJob(stubs, withWebhook, undefined, { cancelAfterMs: MINUTE });
    expect(cancelled(ran).status).toBe('CANCELLED');
    // 1 + 2 + 4 + ... + 32 s of backoff fit in the minute: 6 or 7 attempts, never the 12 of a full run.
    expect(stubs.deliveries.length).toBeGreaterThan(3);
    expect(stubs.deliveries.length).toBeLessThan(9);
    expect(ran.elapsedMs).toBeLessThan(2 * MINUTE);
    const events = streamOf(ran);
    expect(stages(events)).toEqual(['queued', 'image_ready', 'delivering', 'cancelled']);
    expect(events.at(-1)?.data).toEqual({ reason: DEADLINE_REASON });
  });

  it('a cancelJob before it: cancelled by request, as without one (the workflow ends cancelled)', async () => {
    const stubs = new StubActivities({ steps: [makes(1)], deliver: receiverDown() });
    const withWebhook = task({ webhookURL: 'https://hooks.example.com/x' });
    const ran = await runJob(
      stubs,
      withWebhook,
      async (handle) => {
        await until(() => stubs.deliveries.length > 0);
        await handle.cancel();
      },
      { cancelAfterMs: 60 * MINUTE },
    );
    expect((ran.outcome as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const events = streamOf(ran);
    expect(stages(events)).toEqual(['queued', 'image_ready', 'delivering', 'cancelled']);
    expect(events.at(-1)?.data).toEqual({ reason: 'cancelled by request' });
  });

  it('not reached: the job succeeds as without one, and its timer does not hold the workflow open', async () => {
    const later: StepScript = async () => {
      throw rateLimited(5 * MINUTE);
    };
    const steps = [later, makes(2)];
    const ran = await runJob(new StubActivities({ steps }), task({ numberResults: 2 }), undefined, {
      cancelAfterMs: 60 * MINUTE,
    });
    expect(succeeded(ran).status).toBe('SUCCEEDED');
    expect(ran.elapsedMs).toBeLessThan(10 * MINUTE);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'image_ready', 'succeeded']);
  });
});
