import type { JobState } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { CancellationScope, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { RecordUsageInput } from '../activities/record-usage.ts';
import { jobPatched } from './patches.ts';

// Workflow code: the job's line in the usage records, written by the job itself as it ends.

/** Each job ends with its line in the usage records; histories from before end without it. */
const USAGE_RECORD = 'usage-record';

/** Redis down: keep trying, with backoff, until it is back (as the job's events do). */
const usageStep = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 milliseconds', maximumInterval: '10 seconds' },
}).recordUsage;

export type UsageOutcome = RecordUsageInput['outcome'];

/**
 * From the job's final state: what Runware charged is what the job holds (its images and their cost).
 * Idempotent per job (a re-run counts nothing twice), not cancellable (a cancelled job is counted too).
 */
export async function recordUsage(
  input: PhotoMakerJobInput,
  state: JobState,
  outcome: UsageOutcome,
): Promise<void> {
  if (!jobPatched(input, USAGE_RECORD)) return;
  const usage: RecordUsageInput = {
    jobId: input.jobId,
    tenant: input.tenant,
    keyId: input.apiKeyId ?? '',
    model: input.task.model,
    outcome,
    finishedAt: state.finishedAt ?? new Date().toISOString(),
    imageCosts: state.images.map((image) => image.cost ?? null),
  };
  await CancellationScope.nonCancellable(() => usageStep(usage));
}
