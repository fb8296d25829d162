import { CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { WorkerMetrics } from './metrics.ts';

/** Counts every activity attempt by outcome, and retries (attempt > 1), for /metrics. */
export function activityMetrics(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const activity = ctx.info.activityType;
        if (ctx.info.attempt > 1) metrics.retries.inc({ activity });
        try {
          const result = await next(input);
          metrics.activities.inc({ activity, outcome: 'completed' });
          return result;
        } catch (error) {
          metrics.activities.inc({
            activity,
            outcome: error instanceof CancelledFailure ? 'cancelled' : 'failed',
          });
          throw error;
        }
      },
    },
  });
}
