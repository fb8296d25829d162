import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleOptions,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import type { RetentionSweepInput } from '../workflows/retention-sweep.ts';

/**
 * The schedule's id in the Temporal UI (Schedules): one per deployment, i.e. per job task queue
 * (`photomaker-retention` for the default), so deployments sharing a namespace never point one schedule at
 * each other's queue (a worker that starts updates its own deployment's schedule only).
 */
export function retentionScheduleId(taskQueue: string): string {
  return `${taskQueue}-retention`;
}

export interface RetentionScheduleOptions {
  taskQueue: string;
  everyMs: number;
  input: RetentionSweepInput;
}

function scheduleOf(options: RetentionScheduleOptions) {
  return {
    spec: { intervals: [{ every: options.everyMs }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'retentionSweep',
      // Each run's workflow id is this plus the scheduled time (Temporal appends it).
      workflowId: `${options.taskQueue}-retention-sweep`,
      taskQueue: options.taskQueue,
      args: [options.input],
      // A run that cannot finish within an interval is stopped; the next one resumes (sweeps are idempotent).
      workflowExecutionTimeout: Math.max(options.everyMs, 10 * 60_000),
    },
    policies: {
      // Several workers, or a slow run: never two sweeps at once from this schedule.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: options.everyMs,
      pauseOnFailure: false,
    },
  } satisfies Omit<ScheduleOptions, 'scheduleId'>;
}

/**
 * Creates the retention schedule, or brings an existing one to this worker's settings. Every worker does
 * this at start: the first creates it, the others (and restarts) update it to the same thing.
 */
export async function ensureRetentionSchedule(
  client: Client,
  options: RetentionScheduleOptions,
): Promise<'created' | 'updated'> {
  const wanted = scheduleOf(options);
  const scheduleId = retentionScheduleId(options.taskQueue);
  try {
    await client.schedule.create({ scheduleId, ...wanted });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(scheduleId).update((previous) => ({
    ...previous,
    spec: wanted.spec,
    action: wanted.action,
    policies: { ...previous.policies, ...wanted.policies },
  }));
  return 'updated';
}
