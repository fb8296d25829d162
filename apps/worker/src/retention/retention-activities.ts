import type { JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { type JobEraser, type SweepReport, sweepPage } from '@photomaker/retention';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { RetentionMetrics } from './retention-metrics.ts';

export interface RetentionActivityDeps {
  eraser: JobEraser;
  /** A Temporal client with the payload codec: the sweep reads a job's start input to know its blobs. */
  temporal: Client;
  events: Pick<JobEventLog, 'range'>;
  metrics: RetentionMetrics;
  logger: Logger;
}

/** What one run of the retention workflow erased, summed over its pages. */
export interface RetentionTotals {
  jobs: number;
  outputImages: number;
  referenceImages: number;
  postponed: number;
  pages: number;
}

/** The retention workflow's activities (on the job task queue; no Runware, no rate limit). */
export function createRetentionActivities(deps: RetentionActivityDeps) {
  return {
    /** One page of the sweep; heartbeats per item, so a cancelled or timed-out sweep stops there. */
    async sweepRetention(input: { limit: number }): Promise<SweepReport> {
      const context = Context.current();
      const report = await sweepPage(
        {
          eraser: deps.eraser,
          temporal: deps.temporal,
          events: deps.events,
          progress: () => {
            context.heartbeat();
            if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
          },
        },
        input.limit,
      );
      deps.metrics.erased.inc({ kind: 'job' }, report.jobs);
      deps.metrics.erased.inc({ kind: 'output_image' }, report.outputImages);
      deps.metrics.erased.inc({ kind: 'reference_image' }, report.referenceImages);
      return report;
    },
    /** The run's end: its duration and the time of the last success (metrics), one log line. */
    async recordRetentionRun(input: { totals: RetentionTotals; durationMs: number }): Promise<void> {
      deps.metrics.runSeconds.observe(input.durationMs / 1000);
      deps.metrics.lastSuccess.set(Date.now() / 1000);
      deps.logger.info({ ...input.totals, durationMs: input.durationMs }, 'retention sweep finished');
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
