// The pure module only: the package's index pulls in pino, which has no place in workflow code.
import { scrub } from '@photomaker/observability/scrub';
import type { JobError, ReferenceWarning } from '@photomaker/schema';
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { isCancellation } from '@temporalio/workflow';
import type { GenerationFailure, RunwareFailureDetails } from '../activities/types.ts';
import { GENERATION_BUDGET_MS } from './job-policy.ts';

// Workflow-safe: how the workflow reads its activities' failures and what a job ends with.

/** The workflow's own failures (already a JobError in details[0]). */
const JOB_FAILURE = 'PhotoMakerJobFailure';

const BUDGET_MINUTES = GENERATION_BUDGET_MS / 60_000;

/** A task-queue activity's failure arrives wrapped in an ActivityFailure, a local activity's as is. */
const causeOf = (error: unknown): unknown => (error instanceof ActivityFailure ? error.cause : error);

/**
 * Temporal records a failure's stack trace unencrypted (history, describe): the workflow's own failures
 * carry none, as activity failures carry none once scrubbed (activities/failures.ts).
 */
function withoutStack(failure: ApplicationFailure): ApplicationFailure {
  failure.stack = '';
  return failure;
}

export function invalidJobInput(problems: string[]): ApplicationFailure {
  return withoutStack(
    ApplicationFailure.create({
      type: 'invalidJobInput',
      message: `invalid PhotoMakerJobInput: ${problems.join('; ')}`,
      nonRetryable: true,
    }),
  );
}

function jobFailure(error: JobError): ApplicationFailure {
  return withoutStack(
    ApplicationFailure.create({
      type: JOB_FAILURE,
      message: error.message,
      nonRetryable: true,
      details: [error],
    }),
  );
}

/** The job's end after a STRICT reference check failed: nothing was sent to Runware. */
export function referenceRefused(warning: ReferenceWarning): ApplicationFailure {
  return jobFailure({
    code: warning.code,
    message: warning.message,
    parameter: warning.parameter,
    retryable: false,
  });
}

/** The job's end after it ran out of its generation budget before a step. */
export function budgetSpent(): ApplicationFailure {
  return jobFailure({
    code: 'generationTimeout',
    message: `Runware did not deliver every image within ${BUDGET_MINUTES} minutes`,
    retryable: true,
  });
}

/** The job's end after a run ended short and no follow-up run may make the missing images. */
export function generationFailed(failure: GenerationFailure): ApplicationFailure {
  return jobFailure({
    code: failure.code,
    message: failure.message,
    ...(failure.parameter ? { parameter: failure.parameter } : {}),
    retryable: failure.retryable,
  });
}

/** The failure that ends the job: its JobError, then the workflow's own failure carrying the final state. */
export function jobEnd(jobError: JobError, details: unknown): ApplicationFailure {
  return withoutStack(
    ApplicationFailure.create({
      type: jobError.code,
      message: jobError.message,
      nonRetryable: true,
      details: [details],
    }),
  );
}

/**
 * A failure the task-queue activity may get past (not a cancellation, not a permanent or gap failure).
 * Local activities fail with their own failure (no ActivityFailure around it).
 */
export function isTransient(error: unknown): boolean {
  if (isCancellation(error)) return false;
  const cause = causeOf(error);
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}

/** Runware's Retry-After of a failed step, from the failure's details. */
export function retryAfterOf(error: unknown): number {
  const cause = causeOf(error);
  if (!(cause instanceof ApplicationFailure)) return 0;
  const ms = (cause.details?.[0] as Partial<RunwareFailureDetails> | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms > 0 ? ms : 0;
}

/** What the job ends with: Runware's code, parameter and message when Runware said no. */
export function toJobError(error: unknown): JobError {
  if (error instanceof ApplicationFailure && error.type === JOB_FAILURE && error.details?.[0]) {
    return error.details[0] as JobError;
  }
  const cause = causeOf(error);
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as Partial<RunwareFailureDetails> | undefined;
    return {
      code: details?.code ?? cause.type ?? 'activityFailed',
      message: details?.message ?? cause.message,
      ...(details?.parameter ? { parameter: details.parameter } : {}),
      retryable: !cause.nonRetryable,
    };
  }
  if (error instanceof ActivityFailure && cause instanceof TimeoutFailure) {
    return {
      code: 'generationTimeout',
      message: `Runware did not deliver every image within ${BUDGET_MINUTES} minutes (${error.activityType} timed out)`,
      retryable: true,
    };
  }
  // Not an activity's (those are scrubbed as they fail): it may quote anything, and it is stored in clear.
  const message = scrub(error instanceof Error ? error.message : String(error));
  return { code: 'internalError', message: `the job failed unexpectedly: ${message}`, retryable: false };
}

/** A delivery that failed after its retries, as the job's failure (a cancellation stays one). */
export function deliveryFailure(parameter: 'webhookURL' | 'uploadEndpoint', error: unknown): unknown {
  if (isCancellation(error)) return error;
  const cause = causeOf(error);
  const reason = cause instanceof Error ? cause.message : String(cause);
  const what = parameter === 'webhookURL' ? 'webhook POST to webhookURL' : 'PUT to uploadEndpoint';
  return jobFailure({
    code: parameter === 'webhookURL' ? 'webhookDeliveryFailed' : 'uploadDeliveryFailed',
    message: `The ${what} failed after retries: ${reason}. The images are stored and listed in the job.`,
    parameter,
    retryable: cause instanceof ApplicationFailure ? !cause.nonRetryable : true,
  });
}
