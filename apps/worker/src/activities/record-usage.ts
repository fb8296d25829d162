import { type JobUsage, UsageRecords } from '@photomaker/events';
import type { ActivityDeps } from './deps.ts';

export type RecordUsageInput = JobUsage;

/**
 * The job's line in the usage records (@photomaker/events UsageRecords), once it has ended. Idempotent
 * per job id: a retry, or the step run again after a crash, counts nothing twice. A local activity of
 * the job's workflow, so usage is written durably by whoever ran the job, not by a reader that may never
 * see the end.
 */
export function createRecordUsage(deps: Pick<ActivityDeps, 'redis' | 'logger'>) {
  let records: UsageRecords | undefined;
  return async function recordUsage(input: RecordUsageInput): Promise<boolean> {
    records ??= new UsageRecords(deps.redis);
    const counted = await records.record(input);
    if (!counted) deps.logger.debug({ jobId: input.jobId }, 'usage already recorded');
    return counted;
  };
}
