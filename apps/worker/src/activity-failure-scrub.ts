import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { scrubbedFailure } from './activities/failures.ts';

/**
 * Every activity's failure (task-queue and local alike) scrubbed before Temporal records it: last in the
 * chain (innermost), so no other interceptor nor the SDK's activity log sees it unscrubbed.
 */
export const scrubActivityFailures: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (error) {
        throw scrubbedFailure(error);
      }
    },
  },
});
