import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities, RetentionTotals } from '../retention/retention-activities.ts';

// Deterministic: pages of the sweep are activities; the history holds counts only, never a job's data.

const { sweepRetention, recordRetentionRun } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '10 minutes',
  // Each erased item heartbeats: a worker that dies mid-page is noticed within this.
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export interface RetentionSweepInput {
  /** Most items (jobs, photos) one run looks at; the rest waits for the next run. */
  limit: number;
  /** Items per activity call. */
  pageSize?: number;
}

/** One retention run (the Temporal Schedule `photomaker-retention` starts one per interval). */
export async function retentionSweep(input: RetentionSweepInput): Promise<RetentionTotals> {
  const started = Date.now();
  const pageSize = Math.max(1, Math.min(input.pageSize ?? 100, input.limit));
  const totals: RetentionTotals = { jobs: 0, outputImages: 0, referenceImages: 0, postponed: 0, pages: 0 };
  for (let left = input.limit; left > 0; left -= pageSize) {
    const page = await sweepRetention({ limit: Math.min(pageSize, left) });
    totals.pages += 1;
    totals.jobs += page.jobs;
    totals.outputImages += page.outputImages;
    totals.referenceImages += page.referenceImages;
    totals.postponed += page.postponed;
    if (!page.more) break;
  }
  await recordRetentionRun({ totals, durationMs: Date.now() - started });
  return totals;
}
