import type { GetResponseItem, PhotoMakerResult, RunwareError } from '@photomaker/schema';
import { sleep } from './abort.ts';
import { RunwareClientError, RunwareDeadlineError } from './errors.ts';
import { type PollPolicy, pollDelay } from './poll-policy.ts';
import { ResultCollector } from './result-collector.ts';

/** One answered getResponse: the cumulative state of the task's generations. */
export interface GetResponseSnapshot {
  items: GetResponseItem[];
  errors: RunwareError[];
}

/** What the watcher yields after each answered getResponse. */
export interface ResultBatch {
  /** Images new to the caller (not in `known`, not in an earlier batch), in arrival order. */
  fresh: PhotoMakerResult[];
  /** Every image of the task seen so far, `known` ones included, in arrival order. */
  results: PhotoMakerResult[];
  /** Generations still running according to this poll. */
  processing: number;
  /** Failed generations according to this poll (getResponse repeats them): data, not an exception. */
  errors: RunwareError[];
  /** getResponse calls answered so far. */
  polls: number;
  /** Nothing is processing and every generation ended (success or error): no further batch comes. */
  done: boolean;
}

/** What a caller of `RunwareClient.watchResults` may set. */
export interface WatchOptions {
  numberResults: number;
  /** imageUUIDs the caller already holds (e.g. stored by an earlier attempt): never in `fresh`. */
  known?: Iterable<string>;
  /**
   * Wait before the first poll. Default: the poll policy's `initialDelayMs`. A shorter one (0: poll at
   * once) is extra: the policy's cadence starts after it.
   */
  firstDelayMs?: number;
  poll?: Partial<PollPolicy>;
  /** Give up with RunwareDeadlineError (retryable) after this long. Default: no deadline. */
  deadlineMs?: number;
  signal?: AbortSignal | undefined;
  /** A retryable poll failure, before the (slower) wait that follows it: e.g. to heartbeat. */
  onPollFailure?: (error: RunwareClientError, nextDelayMs: number) => void;
  /** Runs around every getResponse call: e.g. to time it. */
  wrapPoll?: (poll: () => Promise<GetResponseSnapshot>) => Promise<GetResponseSnapshot>;
}

export interface WatchEngineOptions extends Omit<WatchOptions, 'poll'> {
  taskUUID: string;
  policy: PollPolicy;
  /** Images already received elsewhere (e.g. a sync response cut short): in `results`, never `fresh`. */
  collector?: ResultCollector | undefined;
  /** Clock and timer, replaceable in tests. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Fetches one snapshot; `remainingMs` is the time left before the deadline (Infinity without one). */
export type FetchSnapshot = (
  signal: AbortSignal | undefined,
  remainingMs: number,
) => Promise<GetResponseSnapshot>;

/** A success item without its getResponse `status`: the same shape a sync response carries. */
function resultOf(item: Extract<GetResponseItem, { status: 'success' }>): PhotoMakerResult {
  const { status: _status, ...result } = item;
  return result as PhotoMakerResult;
}

interface WatchState {
  readonly collector: ResultCollector;
  readonly known: Set<string>;
  polls: number;
  processing: number;
  lastFailure: RunwareClientError | undefined;
}

/**
 * The one getResponse polling engine: waits, polls, yields a ResultBatch per answered poll, until the
 * batch that is `done` (or the caller stops iterating). Retryable poll failures (503, resets, timeouts)
 * only slow the cadence, never below Retry-After; permanent ones throw. Failed generations are data on
 * the batches. The signal stops it at once (rejecting with its reason).
 */
export async function* watchSnapshots(
  fetchSnapshot: FetchSnapshot,
  options: WatchEngineOptions,
): AsyncGenerator<ResultBatch, void, undefined> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? sleep;
  const started = now();
  const deadline = options.deadlineMs === undefined ? Number.POSITIVE_INFINITY : started + options.deadlineMs;
  const state: WatchState = {
    collector: options.collector ?? new ResultCollector(),
    known: new Set(options.known ?? []),
    polls: 0,
    processing: 0,
    lastFailure: undefined,
  };
  let wait = options.firstDelayMs ?? options.policy.initialDelayMs;
  // A first poll sooner than the policy's (a resumed watch polls at once) does not use up a step of it.
  const skipped = wait < options.policy.initialDelayMs ? 1 : 0;
  for (let step = 1; ; step++) {
    const attempt = step - skipped;
    const remaining = deadline - now();
    // A poll due at or after the deadline would come too late: wait it out and report what we have.
    if (wait >= remaining) {
      await pause(Math.max(0, remaining), options.signal);
      throw deadlineError(options, state);
    }
    await pause(wait, options.signal);
    const graceLeft = started + options.policy.notFoundGraceMs - now();
    const snapshot = await pollOnce(fetchSnapshot, options, deadline - now(), graceLeft > 0);
    if (snapshot instanceof RunwareClientError) {
      state.lastFailure = snapshot;
      wait = Math.max(pollDelay(options.policy, attempt), snapshot.retryAfterMs ?? 0);
      options.onPollFailure?.(snapshot, wait);
      continue;
    }
    const batch = toBatch(snapshot, options, state);
    yield batch;
    if (batch.done) return;
    wait = pollDelay(options.policy, attempt);
  }
}

/**
 * One getResponse: the snapshot, or the failure to back off from: a retryable one, or `taskNotFound`
 * within the grace period (the watched task was accepted; its state may not be readable yet). Anything
 * else throws.
 */
async function pollOnce(
  fetchSnapshot: FetchSnapshot,
  options: WatchEngineOptions,
  remainingMs: number,
  inNotFoundGrace: boolean,
): Promise<GetResponseSnapshot | RunwareClientError> {
  const fetch = () => fetchSnapshot(options.signal, remainingMs);
  try {
    return await (options.wrapPoll ? options.wrapPoll(fetch) : fetch());
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (!(error instanceof RunwareClientError)) throw error;
    if (error.retryable || (inNotFoundGrace && error.code === 'taskNotFound')) return error;
    throw error;
  }
}

function toBatch(snapshot: GetResponseSnapshot, options: WatchEngineOptions, state: WatchState): ResultBatch {
  const ours = snapshot.items.filter((item) => item.taskUUID === options.taskUUID);
  const successes = ours.flatMap((item) => (item.status === 'success' ? [resultOf(item)] : []));
  const processing = ours.filter((item) => item.status === 'processing').length;
  const fresh = state.collector
    .add(successes)
    .map(({ result }) => result)
    .filter((result) => !state.known.has(result.imageUUID));
  const errors = snapshot.errors.filter((e) => e.taskUUID === undefined || e.taskUUID === options.taskUUID);
  state.polls += 1;
  state.processing = processing;
  const results = [...state.collector.results];
  const done = processing === 0 && results.length + errors.length >= options.numberResults;
  return { fresh, results, processing, errors, polls: state.polls, done };
}

function deadlineError(options: WatchEngineOptions, state: WatchState): RunwareDeadlineError {
  const got = state.collector.results.length;
  const last = state.lastFailure ? `; last poll failure: ${state.lastFailure.code}` : '';
  return new RunwareDeadlineError({
    message: `Runware task ${options.taskUUID}: ${got} of ${options.numberResults} images after ${options.deadlineMs} ms (${state.processing} still processing${last}); the task may still finish: poll again with the same taskUUID`,
    category: 'timeout',
    retryable: true,
    code: 'pollDeadlineExceeded',
    taskUUID: options.taskUUID,
    taskType: 'photoMaker',
    results: state.collector.inBatchOrder(),
  });
}
