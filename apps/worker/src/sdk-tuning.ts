import type { WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';

// Temporal SDK worker options of the job-queue worker that only tuning touches (WORKER_SDK_TUNING, a JSON
// object): poller counts and the sticky cache. Unset keys keep the SDK's defaults. What each was worth
// on an idle job is in tools/bench/README.md, "Leads (issue #18)".

export const sdkTuningSchema = z
  .object({
    maxConcurrentWorkflowTaskPolls: z.number().int().min(2).max(1_000),
    maxConcurrentActivityTaskPolls: z.number().int().min(1).max(1_000),
    nonStickyToStickyPollRatio: z.number().min(0.01).max(1),
    maxCachedWorkflows: z.number().int().min(0).max(100_000),
    /** ms a task waits on the sticky queue before the server hands it to any worker. */
    stickyQueueScheduleToStartTimeoutMs: z.number().int().min(100).max(600_000),
    reuseV8Context: z.boolean(),
  })
  .partial()
  .strict();

export type SdkTuning = z.output<typeof sdkTuningSchema>;

/** The env value (JSON) checked: the problem names the key, for the config error. */
export function parseSdkTuning(json: string | undefined): SdkTuning | string {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'WORKER_SDK_TUNING: must be a JSON object';
  }
  const parsed = sdkTuningSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `WORKER_SDK_TUNING: ${issue?.path.join('.') || 'value'}: ${issue?.message}`;
}

/** The job-queue worker's options from the tuning (none set: the SDK's defaults). */
export function sdkWorkerOptions(tuning: SdkTuning): Partial<WorkerOptions> {
  const { stickyQueueScheduleToStartTimeoutMs: sticky, ...rest } = tuning;
  const set = Object.entries(rest).filter(([, value]) => value !== undefined);
  return {
    ...(Object.fromEntries(set) as Partial<WorkerOptions>),
    ...(sticky !== undefined ? { stickyQueueScheduleToStartTimeout: sticky } : {}),
  };
}
