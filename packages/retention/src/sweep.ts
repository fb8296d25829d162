import type { JobEventLog } from '@photomaker/events';
import type { Client } from '@temporalio/client';
import { contentsOf, type JobEraser } from './job-eraser.ts';
import { loadTemporalJob } from './temporal-jobs.ts';

/** What one sweep page erased (counts only: the retention workflow's history holds nothing else). */
export interface SweepReport {
  jobs: number;
  outputImages: number;
  referenceImages: number;
  /** Entries looked at and left: a job still running (tried again later). */
  postponed: number;
  /** A page was full: more may be due. */
  more: boolean;
}

export interface SweepDeps {
  eraser: JobEraser;
  temporal: Client;
  events: Pick<JobEventLog, 'range'>;
  /** Called after every item (the activity heartbeats; a cancelled sweep stops here). */
  progress: () => void;
  now?: () => number;
}

/** A running job whose time has come is looked at again this much later. */
const POSTPONE_MS = 10 * 60_000;

/**
 * One bounded page of retention: jobs whose outputs or whole record are due, then reference photos whose
 * last hold lapsed. Every step is idempotent, so two sweeps at once (several replicas, a retried activity)
 * erase each thing once and count it at most twice.
 */
export async function sweepPage(deps: SweepDeps, limit: number): Promise<SweepReport> {
  const now = deps.now?.() ?? Date.now();
  const report: SweepReport = { jobs: 0, outputImages: 0, referenceImages: 0, postponed: 0, more: false };
  const entries = await deps.eraser.due.due(now, limit);
  for (const { kind, jobId } of entries) {
    const job = await loadTemporalJob(deps.temporal, deps.events, jobId);
    if (job?.running) {
      report.postponed += 1;
      await deps.eraser.due.postpone(kind, jobId, now + POSTPONE_MS);
    } else if (!job) {
      // Temporal has it no more (namespace retention, or erased): nothing left to read its blobs from.
      await deps.eraser.due.forget(jobId);
    } else if (kind === 'outputs') {
      report.outputImages += (await deps.eraser.eraseOutputs(contentsOf(job.state))).outputImages;
      await deps.eraser.due.done(kind, jobId);
    } else {
      const erased = await deps.eraser.eraseJob({ ...contentsOf(job.state), tenant: job.tenant }, true);
      report.jobs += 1;
      report.outputImages += erased.outputImages;
      report.referenceImages += erased.referenceImages;
    }
    deps.progress();
  }
  const blobs = await deps.eraser.holds.lapsed(now, limit);
  for (const blob of blobs) {
    if ((await deps.eraser.releaseBlob(blob, undefined)).freed) report.referenceImages += 1;
    deps.progress();
  }
  report.more = entries.length >= limit || blobs.length >= limit;
  return report;
}
