import pRetry from 'p-retry';
import { sleep } from './abort.ts';
import { RunwareClientError } from './errors.ts';

/** In-client retries of retryable failures. The task (and its taskUUID) is sent again unchanged. */
export interface RetryPolicy {
  /** Extra attempts after the first; 0 turns in-client retries off. */
  retries: number;
  /** First backoff delay; later ones grow by `factor`, each randomised x1..x2 (jitter). */
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** Stop retrying once this much time has gone by since the first attempt. */
  maxRetryTimeMs?: number | undefined;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 2, minDelayMs: 500, maxDelayMs: 30_000, factor: 2 };
export const NO_RETRY: RetryPolicy = { ...DEFAULT_RETRY, retries: 0 };

export interface RetryEvent {
  error: RunwareClientError;
  attemptNumber: number;
  /** What the next attempt waits: the larger of the jittered backoff and Retry-After. */
  delayMs: number;
}

// Re-sending helps only when Runware does not hold the task yet: an accepted task is polled instead,
// and a task whose generations failed has spent its taskUUID.
const retryable = (error: unknown): error is RunwareClientError =>
  error instanceof RunwareClientError && error.retryable && !error.alreadyAccepted && !error.generationFailed;

/**
 * Runs `attempt` (given its 1-based number) with p-retry: exponential backoff with jitter, only for
 * errors marked retryable, never sooner than the server's Retry-After, stopped by `signal`.
 */
export function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  if (policy.retries <= 0) return attempt(1);
  return pRetry(attempt, {
    retries: policy.retries,
    minTimeout: policy.minDelayMs,
    maxTimeout: policy.maxDelayMs,
    factor: policy.factor,
    randomize: true,
    ...(policy.maxRetryTimeMs !== undefined ? { maxRetryTime: policy.maxRetryTimeMs } : {}),
    ...(signal ? { signal } : {}),
    // Called before p-retry's own backoff sleep: top it up to what the server asked for.
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft, retryDelay }) => {
      if (!retryable(error) || retriesLeft <= 0) return;
      const extra = Math.max(0, (error.retryAfterMs ?? 0) - retryDelay);
      onRetry?.({ error, attemptNumber, delayMs: retryDelay + extra });
      await sleep(extra, signal);
    },
    shouldRetry: ({ error }) => retryable(error),
  });
}
