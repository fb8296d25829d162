import type { JobError } from '@photomaker/schema';
import {
  ActivityFailure,
  ApplicationFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  budgetSpent,
  deliveryFailure,
  isTransient,
  retryAfterOf,
  toJobError,
} from '../src/workflows/failures.ts';

// How the workflow reads failures, in-process. The generation budget's two ends are checked here; on a
// time-skipping server (workflow-timers.test.ts) the budget runs out for real, except during a step that
// is still running: that server's clock does not move while an activity runs.

const activityFailure = (cause: Error) =>
  new ActivityFailure('activity failed', 'collectImages', '1', RetryState.TIMEOUT, undefined, cause);

describe('the generation budget', () => {
  it('spent before a step: the job ends with generationTimeout, retryable', () => {
    expect(toJobError(budgetSpent())).toEqual({
      code: 'generationTimeout',
      message: 'Runware did not deliver every image within 30 minutes',
      retryable: true,
    });
  });

  it('spent during a step (its schedule-to-close timeout): the same code, naming the activity', () => {
    const timedOut = activityFailure(
      new TimeoutFailure('timed out', undefined, TimeoutType.SCHEDULE_TO_CLOSE),
    );
    expect(toJobError(timedOut)).toEqual({
      code: 'generationTimeout',
      message: 'Runware did not deliver every image within 30 minutes (collectImages timed out)',
      retryable: true,
    });
  });
});

describe('Runware failures', () => {
  const refused = ApplicationFailure.create({
    type: 'invalidModel',
    message: 'framed',
    nonRetryable: true,
    details: [{ code: 'invalidModel', message: 'not SDXL', parameter: 'model', category: 'validation' }],
  });
  const limited = ApplicationFailure.create({
    type: 'rateLimited',
    message: 'framed',
    details: [{ code: 'rateLimited', message: 'slow down', category: 'rateLimit', retryAfterMs: 1500 }],
  });

  it('end the job with Runware’s code, message and parameter, wrapped or not', () => {
    const expected: JobError = {
      code: 'invalidModel',
      message: 'not SDXL',
      parameter: 'model',
      retryable: false,
    };
    expect(toJobError(refused)).toEqual(expected);
    expect(toJobError(activityFailure(refused))).toEqual(expected);
  });

  it('are transient unless non-retryable; Retry-After comes from the details', () => {
    expect([isTransient(refused), isTransient(limited), isTransient(new Error('reset'))]).toEqual([
      false,
      true,
      true,
    ]);
    expect([retryAfterOf(activityFailure(limited)), retryAfterOf(refused)]).toEqual([1500, 0]);
  });

  it('anything else is an internal error', () => {
    expect(toJobError(new Error('boom'))).toEqual({
      code: 'internalError',
      message: 'the job failed unexpectedly: boom',
      retryable: false,
    });
  });
});

describe('delivery failures', () => {
  it('name the target and keep the receiver’s retryability', () => {
    const gone = activityFailure(ApplicationFailure.nonRetryable('HTTP 410', 'deliveryRefused'));
    expect(toJobError(deliveryFailure('uploadEndpoint', gone))).toEqual({
      code: 'uploadDeliveryFailed',
      message:
        'The PUT to uploadEndpoint failed after retries: HTTP 410. The images are stored and listed in the job.',
      parameter: 'uploadEndpoint',
      retryable: false,
    });
  });
});
