import { scrub } from '@photomaker/observability';
import { RunwareClientError } from '@photomaker/runware';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import type { RunwareFailureDetails } from './types.ts';

/** Runware's own message (already scrubbed by the client), without the client's framing. */
function runwareMessage(error: RunwareClientError): string {
  return error.errors[0]?.message ?? error.message;
}

/**
 * A Runware client error as the ApplicationFailure Temporal records: type = Runware's code; permanent
 * categories (validation, auth, quota, safety, ...) non-retryable, so the job fails at once; transient ones
 * retried by the activity's retry policy, never sooner than Retry-After. Other errors pass unchanged.
 */
export function toActivityFailure(error: unknown): unknown {
  if (!(error instanceof RunwareClientError)) return error;
  const retryAfterMs = error.retryable && (error.retryAfterMs ?? 0) > 0 ? error.retryAfterMs : undefined;
  const details: RunwareFailureDetails = {
    code: error.code,
    message: runwareMessage(error),
    category: error.category,
    ...(error.parameter !== undefined ? { parameter: error.parameter } : {}),
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  return ApplicationFailure.create({
    type: error.code,
    message: error.message,
    nonRetryable: !error.retryable,
    details: [details],
    // Only a real wait: a zero delay would not mean "retry now" to the server.
    ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
  });
}

/** A permanent failure of our own (bad reference, bad output), shaped like a Runware one. */
export function permanentFailure(code: string, message: string, parameter?: string): ApplicationFailure {
  const details: RunwareFailureDetails = {
    code,
    message,
    category: 'validation',
    ...(parameter ? { parameter } : {}),
  };
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: [details] });
}

/** A details entry with its `message` scrubbed (Runware's and ours carry one); others unchanged. */
function scrubDetail(detail: unknown): unknown {
  if (detail === null || typeof detail !== 'object' || !('message' in detail)) return detail;
  const { message } = detail as { message: unknown };
  return typeof message === 'string' ? { ...detail, message: scrub(message) } : detail;
}

/**
 * What an activity's failure may say once recorded: Temporal stores a failure's message and stack trace
 * unencrypted (history, describe, the worker's logs), so the message is scrubbed (URLs keep only their
 * host, no tokens or file paths) and the stack trace and cause chain are dropped. Type, retryability,
 * details and retry delay stay as they were; cancellations and other Temporal failures pass unchanged.
 */
export function scrubbedFailure(error: unknown): unknown {
  if (error instanceof TemporalFailure && !(error instanceof ApplicationFailure)) return error;
  if (!(error instanceof Error)) return error;
  const failure =
    error instanceof ApplicationFailure
      ? ApplicationFailure.create({
          message: scrub(error.message),
          nonRetryable: error.nonRetryable === true,
          details: (error.details ?? []).map(scrubDetail),
          ...(error.type ? { type: error.type } : {}),
          ...(error.nextRetryDelay != null ? { nextRetryDelay: error.nextRetryDelay } : {}),
        })
      : // Temporal's own conversion of a plain error: its name as the type, retryable.
        ApplicationFailure.create({ type: error.name, message: scrub(error.message) });
  failure.stack = '';
  return failure;
}
