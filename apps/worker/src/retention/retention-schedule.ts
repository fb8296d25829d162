import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleOptions,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import type { RetentionSweepInput } from '../workflows/retention-sweep.ts';

/** The schedule's id in the Temporal UI (Schedules). */
export const RETENTION_SCHEDULE_ID = 'photomaker-retention';
/** Each run's workflow id is this plus the scheduled time (Temporal appends it). */
const RUN_WORKFLOW_ID = 'retention-sweep';

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
      workflowId: RUN_WORKFLOW_ID,
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
  try {
    await client.schedule.create({ scheduleId: RETENTION_SCHEDULE_ID, ...wanted });
    return 'created';
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  await client.schedule.getHandle(RETENTION_SCHEDULE_ID).update((previous) => ({
    ...previous,
    spec: wanted.spec,
    action: wanted.action,
    policies: { ...previous.policies, ...wanted.policies },
  }));
  return 'updated';
}
