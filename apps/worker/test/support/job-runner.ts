import { randomUUID } from 'node:crypto';
import type { JobEvent, JobState, JobTask } from '@photomaker/schema';
import { jobTaskSchema } from '@photomaker/schema';
import { type PhotoMakerJobInput, WORKFLOW_TYPE, workflowIdForJob } from '@photomaker/temporal';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { expect, inject } from 'vitest';
import { PhotoMakerWorkers } from '../../src/worker.ts';
import type { StepScript, StubActivities } from './stub-activities.ts';

// One job of the real workflow bundle against stub activities, on whichever test environment a suite
// uses (the shared dev server, or a time-skipping server), with the checks the branch suites share.

try {
  // Errors only: the SDK logs every worker state change at INFO, and each failed activity attempt (the
  // branches under test fail dozens on purpose) at WARN with its stack. One Runtime per process.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
} catch {
  // already installed by an earlier import in this process
}

export function task(overrides: Partial<Record<keyof JobTask, unknown>> = {}): JobTask {
  return jobTaskSchema.parse({
    inputImages: [{ kind: 'runware', imageUUID: randomUUID() }],
    positivePrompt: 'a portrait img',
    model: 'civitai:139562@344487',
    width: 128,
    height: 128,
    outputFormat: 'PNG',
    ...overrides,
  });
}

export interface Ran {
  input: PhotoMakerJobInput;
  stubs: StubActivities;
  outcome: JobState | WorkflowFailedError;
  /** Workflow time from the job's first history event to its last (skipped time included). */
  elapsedMs: number;
}

/** The running job, for `during` (cancel it, read its history). */
export type RunningJob = WorkflowHandle;

/** Runs one job to its end on its own task queue with `stubs`; `during` runs while it is going. */
export async function runJob(
  env: TestWorkflowEnvironment,
  stubs: StubActivities,
  jobTask: JobTask,
  during?: (handle: RunningJob) => Promise<void>,
  options: { cancelAfterMs?: number; webhookEvents?: PhotoMakerJobInput['webhookEvents'] } = {},
): Promise<Ran> {
  stubs.total = jobTask.numberResults;
  const taskQueue = `photomaker-branches-${randomUUID().slice(0, 8)}`;
  const workers = await PhotoMakerWorkers.create({
    connection: env.nativeConnection,
    taskQueue,
    dataConverter: {},
    activities: stubs.activities(),
    workflows: { workflowBundle: { codePath: inject('workflowBundlePath') } },
    tuning: { shutdownGraceMs: 500 },
  });
  const input: PhotoMakerJobInput = {
    jobId: randomUUID(),
    tenant: 'tenant-branches',
    task: jobTask,
    runwareTaskUUID: randomUUID(),
    createdAt: new Date().toISOString(),
    ...(options.webhookEvents ? { webhookEvents: options.webhookEvents } : {}),
    // From the server's clock: a time-skipping one is ahead of this process's by what it skipped so far.
    ...(options.cancelAfterMs !== undefined
      ? { cancelAt: new Date((await env.currentTimeMs()) + options.cancelAfterMs).toISOString() }
      : {}),
  };
  let elapsedMs = 0;
  const outcome = await workers.runUntil(
    (async () => {
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: workflowIdForJob(input.jobId),
        args: [input],
      });
      await during?.(handle);
      const result = await (handle.result() as Promise<JobState>).catch((error: unknown) => {
        if (error instanceof WorkflowFailedError) return error;
        throw error;
      });
      // Not the env's clock: a time-skipping server may jump on past the job's end.
      const { events } = await handle.fetchHistory();
      elapsedMs = tsToMs(events?.at(-1)?.eventTime) - tsToMs(events?.[0]?.eventTime);
      return result;
    })(),
  );
  return { input, stubs, outcome, elapsedMs };
}

export const stages = (events: readonly JobEvent[]) => events.map((event) => event.stage);
const seqs = (events: readonly JobEvent[]) => events.map((event) => event.seq);

/** The job's stream, checked gap-free from 1. */
export function streamOf(ran: Ran): JobEvent[] {
  const events = ran.stubs.stream(ran.input.jobId);
  expect(seqs(events)).toEqual(events.map((_, index) => index + 1));
  return events;
}

export function succeeded(ran: Ran): JobState {
  expect(ran.outcome).not.toBeInstanceOf(WorkflowFailedError);
  return ran.outcome as JobState;
}

/** The JobError the job failed with (the workflow's failure type is its code). */
export function failure(ran: Ran): ApplicationFailure {
  expect(ran.outcome).toBeInstanceOf(WorkflowFailedError);
  return (ran.outcome as WorkflowFailedError).cause as ApplicationFailure;
}

/** The job's final state, which its failure carries. */
export function failedState(ran: Ran): JobState {
  const state = failure(ran).details?.[0] as JobState | undefined;
  expect(state?.status).toBe('FAILED');
  return state as JobState;
}

/** A step that makes `count` images and ends its run, with these generations failed. */
export const makes =
  (count: number, failures: { code: string; retryable: boolean }[] = []): StepScript =>
  async (_call, step) =>
    step.images(count, { done: true, failures: failures.map((f) => ({ ...f, message: `${f.code}!` })) });

/** Resolves once `ready()` holds (polled every 20 ms of real time). */
export async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Resolves once the job's history has an event with these attributes (e.g. a timer it waits on). */
export async function untilHistoryHas(
  handle: RunningJob,
  attributes: 'timerStartedEventAttributes' | 'activityTaskScheduledEventAttributes',
): Promise<void> {
  for (;;) {
    const { events } = await handle.fetchHistory();
    if (events?.some((event) => event[attributes])) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
