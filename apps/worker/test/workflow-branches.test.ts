import type { JobState } from '@photomaker/schema';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
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
} from './support/job-runner.ts';
import { HANDED_OVER, type StepScript, StubActivities, stuckStep } from './support/stub-activities.ts';

// The workflow's branch logic with stub activities typed from createActivities (no Runware, no Redis):
// the real workflow bundle on the shared dev server, real time. None of these waits on a workflow timer;
// the branches that do (backoffs, Retry-After, the generation budget) are in workflow-timers.test.ts on
// a time-skipping server. The real-stack suites (happy-path, faults, durability, history) stay as they are.

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
});

afterAll(async () => {
  await env?.teardown();
});

const runJob = (
  stubs: StubActivities,
  jobTask: Parameters<typeof runOn>[2],
  during?: (handle: RunningJob) => Promise<void>,
  options?: Parameters<typeof runOn>[4],
): Promise<Ran> => runOn(env, stubs, jobTask, during, options);

describe('the single-image step', () => {
  it('runs locally, opening its range with the job’s unpublished queued event (no publish of its own)', async () => {
    const ran = await runJob(new StubActivities({ steps: [makes(1)] }), task());
    expect(succeeded(ran).images).toHaveLength(1);
    expect(ran.stubs.calls.map((call) => [call.kind, call.range.firstSeq, call.endsJob])).toEqual([
      ['local', 1, true],
    ]);
    expect(stages(ran.stubs.calls[0]?.range.unpublished ?? [])).toEqual(['queued']);
    expect(ran.stubs.publishes).toEqual([]);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'succeeded']);
    // Then its usage line: the outcome, the model, one image (the stub reports no cost).
    expect(ran.stubs.usages).toEqual([
      expect.objectContaining({ jobId: ran.input.jobId, outcome: 'SUCCEEDED', imageCosts: [null] }),
    ]);
  });

  it('handed over: the task-queue step gets the same range, unpublished events included', async () => {
    const ran = await runJob(new StubActivities({ steps: [async () => HANDED_OVER, makes(1)] }), task());
    expect(succeeded(ran).status).toBe('SUCCEEDED');
    expect(
      ran.stubs.calls.map((call) => [call.kind, call.range.firstSeq, stages(call.range.unpublished ?? [])]),
    ).toEqual([
      ['local', 1, ['queued']],
      ['activity', 1, ['queued']],
    ]);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'succeeded']);
  });

  it('failed transiently: the task-queue step takes over its range and adopts what it published', async () => {
    const flaky: StepScript = async (_call, step) => {
      step.append('submitted', { runwareTaskUUID: 'run', numberResults: 1 });
      throw ApplicationFailure.retryable('connection reset', 'serverError');
    };
    const ran = await runJob(new StubActivities({ steps: [flaky, makes(1)] }), task());
    expect(succeeded(ran).images).toHaveLength(1);
    expect(ran.stubs.calls.map((call) => [call.kind, call.range.firstSeq])).toEqual([
      ['local', 1],
      ['activity', 1],
    ]);
    expect(stages(streamOf(ran))).toEqual(['queued', 'submitted', 'image_ready', 'succeeded']);
  });
});

describe('follow-up runs', () => {
  it('a multi-image job is one per-image run: the activity makes new tasks for failed images itself', async () => {
    const early: StepScript = async (_call, step) => step.images(2, { done: false, failures: [] });
    const steps = [early, makes(1)];
    const ran = await runJob(new StubActivities({ steps }), task({ numberResults: 3, seed: 100 }));
    expect(succeeded(ran).images.map((image) => image.index)).toEqual([0, 1, 2]);
    const [first, second] = ran.stubs.calls;
    expect(first).toMatchObject({
      kind: 'activity',
      taskUUID: ran.input.runwareTaskUUID,
      numberResults: 3,
      seed: '100',
      perImage: true,
      hasTask: true,
    });
    // A run that returns early (it does not, in practice) is called again: same run, task included.
    expect(second).toMatchObject({ taskUUID: ran.input.runwareTaskUUID, perImage: true, hasTask: true });
    expect(stages(streamOf(ran)).at(-1)).toBe('succeeded');
  });

  it('a per-image run that ends short fails the job with its failure (no follow-up run of the workflow)', async () => {
    const steps = [makes(1, [{ code: 'timeoutProvider', retryable: true }])];
    const ran = await runJob(new StubActivities({ steps }), task({ numberResults: 2 }));
    expect(failure(ran).type).toBe('timeoutProvider');
    expect(ran.stubs.calls).toHaveLength(1);
    expect(stages(streamOf(ran)).at(-1)).toBe('failed');
    expect(ran.stubs.usages.map((usage) => usage.outcome)).toEqual(['FAILED']);
  });

  it('a failure not worth a new task ends the job at once', async () => {
    const steps = [makes(1, [{ code: 'contentModerated', retryable: false }])];
    const ran = await runJob(new StubActivities({ steps }), task({ numberResults: 2 }));
    expect(failure(ran).type).toBe('contentModerated');
    expect(ran.stubs.calls).toHaveLength(1);
  });
});

describe('webhook events', () => {
  const hook = 'https://hooks.example.com/events';

  it('by default: each image, then COMPLETED with the images; no STARTED', async () => {
    const stubs = new StubActivities({ steps: [makes(2)] });
    const ran = await runJob(stubs, task({ numberResults: 2, webhookURL: hook }));
    expect(succeeded(ran).status).toBe('SUCCEEDED');
    expect(stubs.deliveries.map((delivery) => delivery.image.index).sort()).toEqual([0, 1]);
    expect(stubs.jobEvents.map((event) => [event.event, event.status, event.images?.length])).toEqual([
      ['COMPLETED', 'SUCCEEDED', 2],
    ]);
  });

  it('STARTED and COMPLETED only: no image POSTs, no delivering stage', async () => {
    const stubs = new StubActivities({ steps: [makes(1)] });
    const ran = await runJob(stubs, task({ webhookURL: hook }), undefined, {
      webhookEvents: ['STARTED', 'COMPLETED'],
    });
    expect(succeeded(ran).status).toBe('SUCCEEDED');
    expect(stubs.deliveries).toEqual([]);
    expect(stubs.jobEvents.map((event) => [event.event, event.status])).toEqual([
      ['STARTED', 'RUNNING'],
      ['COMPLETED', 'SUCCEEDED'],
    ]);
    expect(stages(streamOf(ran))).not.toContain('delivering');
  });

  it('none: an empty list sends nothing; a cancelled job tells FAILED with its reason', async () => {
    const quiet = new StubActivities({ steps: [makes(1)] });
    await runJob(quiet, task({ webhookURL: hook }), undefined, { webhookEvents: [] });
    expect([quiet.deliveries, quiet.jobEvents]).toEqual([[], []]);
    const stubs = new StubActivities({ steps: [stuckStep] });
    const ran = await runJob(stubs, task({ webhookURL: hook }), async (handle) => {
      await until(() => stubs.calls.length > 0);
      await handle.cancel();
    });
    expect(ran.outcome).toBeInstanceOf(WorkflowFailedError);
    expect(stubs.jobEvents.map((event) => [event.event, event.status, event.reason])).toEqual([
      ['FAILED', 'CANCELLED', 'cancelled by request'],
    ]);
  });
});

describe('deliveries', () => {
  it('a delivery that fails for good fails the job with the delivery’s code; the images stay listed', async () => {
    const stubs = new StubActivities({
      steps: [makes(1)],
      deliver: async () => {
        throw ApplicationFailure.nonRetryable('410 Gone', 'deliveryRefused');
      },
    });
    const ran = await runJob(stubs, task({ webhookURL: 'https://hooks.example.com/x' }));
    const jobFailure = failure(ran);
    expect(jobFailure.type).toBe('webhookDeliveryFailed');
    const state = jobFailure.details?.[0] as JobState;
    expect([state.status, state.images.length, state.error?.parameter, state.error?.retryable]).toEqual([
      'FAILED',
      1,
      'webhookURL',
      false,
    ]);
    // With deliveries the Runware step is the task-queue activity and does not end the job.
    expect(ran.stubs.calls.map((call) => [call.kind, call.endsJob])).toEqual([['activity', false]]);
    expect(stubs.deliveries).toHaveLength(1);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'delivering', 'failed']);
    // The default events: no STARTED; the failure is told after the images (to the same receiver).
    expect(stubs.jobEvents.map((event) => [event.event, event.status, event.error?.code])).toEqual([
      ['FAILED', 'FAILED', 'webhookDeliveryFailed'],
    ]);
  });
});

describe('cancellation', () => {
  it('a cancelled job adopts what its step published and ends with a cancelled event', async () => {
    const stubs = new StubActivities({ steps: [stuckStep] });
    const ran = await runJob(stubs, task({ numberResults: 2 }), async (handle) => {
      await until(() => stubs.calls.length > 0);
      await handle.cancel();
    });
    expect(ran.outcome).toBeInstanceOf(WorkflowFailedError);
    expect(stages(streamOf(ran))).toEqual(['queued', 'submitted', 'cancelled']);
    expect(stubs.usages.map((usage) => [usage.outcome, usage.imageCosts.length])).toEqual([['CANCELLED', 0]]);
  });
});

describe('a gap in the stream', () => {
  it('is repaired: the workflow publishes what Redis lost, then repeats the step', async () => {
    const stubs = new StubActivities({ steps: [] });
    stubs.steps.push(
      async (_call, step) => step.images(1, { done: false }),
      async (call, step) => {
        stubs.lose(call.jobId, 0);
        return step.images(1, { done: true });
      },
      makes(1),
    );
    const ran = await runJob(stubs, task({ numberResults: 2 }));
    expect(succeeded(ran).images).toHaveLength(2);
    expect(ran.stubs.calls.map((call) => call.range.firstSeq)).toEqual([1, 3, 3]);
    expect(stubs.publishes).toEqual([[1, 2]]);
    expect(stages(streamOf(ran))).toEqual(['queued', 'image_ready', 'image_ready', 'succeeded']);
  });
});
