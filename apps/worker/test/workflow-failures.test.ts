import type { JobError } from '@photomaker/schema';
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  TimeoutFailure,
  TimeoutType,
} from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { scrubbedFailure } from '../src/activities/failures.ts';
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

describe('failures stored in clear', () => {
  it('an unexpected workflow error is scrubbed of URL paths, tokens and file paths', () => {
    const error = new Error('fetch https://h.example/t/abc?sig=1 failed at /srv/app/dist/x.js');
    expect(toJobError(error).message).toBe(
      'the job failed unexpectedly: fetch https://h.example failed at [path]',
    );
  });

  it('an activity failure is recorded scrubbed and stackless, its type, retryability and details kept', () => {
    const original = ApplicationFailure.create({
      type: 'deliveryFailed',
      message: 'webhook to https://h.example/hooks/tok_4f9a1c7e2b8d5f3a6c9e1b4d7a0c3f6e9b2 answered HTTP 503',
      details: [{ status: 503, message: 'see https://h.example/x?token=1' }],
      nextRetryDelay: 2_000,
    });
    const recorded = scrubbedFailure(original) as ApplicationFailure;
    expect(recorded).toBeInstanceOf(ApplicationFailure);
    expect(recorded.message).toBe('webhook to https://h.example answered HTTP 503');
    expect(recorded.stack).toBe('');
    expect(recorded).toMatchObject({ type: 'deliveryFailed', nonRetryable: false, nextRetryDelay: 2_000 });
    expect(recorded.details).toEqual([{ status: 503, message: 'see https://h.example' }]);
    const plain = scrubbedFailure(new TypeError('open /home/ci/.data/x failed')) as ApplicationFailure;
    expect(plain).toMatchObject({ type: 'TypeError', message: 'open [path] failed', nonRetryable: false });
    const cancelled = new CancelledFailure('cancelled');
    expect(scrubbedFailure(cancelled)).toBe(cancelled);
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
