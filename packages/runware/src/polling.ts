import type { GetResponseItem, PhotoMakerResult, RunwareError } from '@photomaker/schema';
import { sleep } from './abort.ts';
import { apiErrorFrom } from './error-mapping.ts';
import { RunwareClientError, RunwareDeadlineError } from './errors.ts';

/** getResponse cadence: first poll after `initialDelayMs`, then x`factor` up to `maxDelayMs`. */
export interface PollPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
}

export const DEFAULT_POLL: PollPolicy = { initialDelayMs: 250, factor: 1.5, maxDelayMs: 5_000 };

/** The delay before poll n (0-based): initial x factor^n, capped. */
export function pollDelay(policy: PollPolicy, poll: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** poll);
}

export interface ResultSnapshot {
  /** Finished images so far, in arrival order (deduplicated by imageUUID). */
  results: PhotoMakerResult[];
  /** Generations still running according to the last poll. */
  processing: number;
  /** Failed generations reported so far. */
  errors: RunwareError[];
  /** getResponse calls answered so far. */
  polls: number;
}

export interface GetResponseSnapshot {
  items: GetResponseItem[];
  errors: RunwareError[];
}

/** Keeps each image once, in the order it first appeared, whatever polls or frames repeat it. */
export class ResultCollector {
  private readonly seen = new Set<string>();
  readonly results: PhotoMakerResult[] = [];

  /**
   * The images in batch order: Runware gives image i the seed `seed + i`, so seed order is batch order
   * whatever order they finished in (ties keep arrival order).
   */
  inBatchOrder(): PhotoMakerResult[] {
    const key = (result: PhotoMakerResult) =>
      /^[0-9]+$/.test(result.seed) ? BigInt(result.seed) : undefined;
    return this.results
      .map((result, arrival) => ({ result, arrival, seed: key(result) }))
      .sort((a, b) => {
        if (a.seed === undefined || b.seed === undefined || a.seed === b.seed) return a.arrival - b.arrival;
        return a.seed < b.seed ? -1 : 1;
      })
      .map(({ result }) => result);
  }

  /** Adds new images; returns only the ones not seen before, each with its 0-based arrival position. */
  add(results: Iterable<PhotoMakerResult>): { result: PhotoMakerResult; index: number }[] {
    const fresh: { result: PhotoMakerResult; index: number }[] = [];
    for (const result of results) {
      if (this.seen.has(result.imageUUID)) continue;
      this.seen.add(result.imageUUID);
      this.results.push(result);
      fresh.push({ result, index: this.results.length - 1 });
    }
    return fresh;
  }
}

/** A success item without its getResponse `status`: the same shape a sync response carries. */
export function resultOf(item: Extract<GetResponseItem, { status: 'success' }>): PhotoMakerResult {
  const { status: _status, ...result } = item;
  return result as PhotoMakerResult;
}

export interface PollOptions {
  taskUUID: string;
  numberResults: number;
  /** Give up (RunwareDeadlineError, retryable) after this long. */
  deadlineMs: number;
  policy: PollPolicy;
  signal?: AbortSignal | undefined;
  onResult?: ((result: PhotoMakerResult, index: number) => void) | undefined;
  onSnapshot?: ((snapshot: ResultSnapshot) => void) | undefined;
  /** Images already received elsewhere (e.g. a sync response cut short): not reported again. */
  collector?: ResultCollector | undefined;
  /** Clock and timer, replaceable in tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Polls until `numberResults` images succeeded. Retryable poll failures (503, resets, timeouts) only
 * slow the cadence (never below Retry-After); permanent ones end the wait. A failed generation ends it
 * too, once no generation is still processing, after every finished image was reported.
 */
export async function pollForResults(
  fetchSnapshot: (signal: AbortSignal | undefined, remainingMs: number) => Promise<GetResponseSnapshot>,
  options: PollOptions,
): Promise<PhotoMakerResult[]> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? sleep;
  const deadline = now() + options.deadlineMs;
  const collector = options.collector ?? new ResultCollector();
  let polls = 0;
  let attempt = 0;
  let wait = options.policy.initialDelayMs;
  let lastFailure: RunwareClientError | undefined;
  let processing = 0;
  let failed: RunwareError[] = [];
  for (;;) {
    const remaining = deadline - now();
    // A poll due at or after the deadline would come too late: wait it out and report what we have.
    if (wait >= remaining) {
      await pause(Math.max(0, remaining), options.signal);
      if (failed.length > 0) throw generationError(options, collector, failed);
      throw deadlineError(options, collector, processing, lastFailure);
    }
    await pause(wait, options.signal);
    attempt += 1;
    let snapshot: GetResponseSnapshot;
    try {
      snapshot = await fetchSnapshot(options.signal, deadline - now());
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!(error instanceof RunwareClientError) || !error.retryable) throw error;
      lastFailure = error;
      wait = Math.max(pollDelay(options.policy, attempt), error.retryAfterMs ?? 0);
      continue;
    }
    polls += 1;
    const ours = snapshot.items.filter((item) => item.taskUUID === options.taskUUID);
    const successes = ours.flatMap((item) => (item.status === 'success' ? [resultOf(item)] : []));
    processing = ours.filter((item) => item.status === 'processing').length;
    for (const { result, index } of collector.add(successes)) options.onResult?.(result, index);
    const errors = snapshot.errors.filter((e) => e.taskUUID === undefined || e.taskUUID === options.taskUUID);
    options.onSnapshot?.({ results: [...collector.results], processing, errors, polls });
    failed = errors;
    // A failed generation fails the call, but only once the others settled: they are paid for too.
    if (errors.length > 0 && processing === 0) throw generationError(options, collector, errors);
    if (errors.length === 0 && collector.results.length >= options.numberResults)
      return collector.inBatchOrder();
    wait = pollDelay(options.policy, attempt);
  }
}

function generationError(options: PollOptions, collector: ResultCollector, errors: RunwareError[]) {
  return apiErrorFrom(
    { status: undefined, errors, results: collector.inBatchOrder(), generationFailed: true },
    { taskUUID: options.taskUUID, taskType: 'photoMaker' },
  );
}

function deadlineError(
  options: PollOptions,
  collector: ResultCollector,
  processing: number,
  lastFailure: RunwareClientError | undefined,
): RunwareDeadlineError {
  const got = collector.results.length;
  const last = lastFailure ? `; last poll failure: ${lastFailure.code}` : '';
  return new RunwareDeadlineError({
    message: `Runware task ${options.taskUUID}: ${got} of ${options.numberResults} images after ${options.deadlineMs} ms (${processing} still processing${last}); the task may still finish: poll again with the same taskUUID`,
    category: 'timeout',
    retryable: true,
    code: 'pollDeadlineExceeded',
    taskUUID: options.taskUUID,
    taskType: 'photoMaker',
    results: collector.inBatchOrder(),
  });
}
