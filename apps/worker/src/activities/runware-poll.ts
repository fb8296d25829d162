import { type RunwareClient, RunwareClientError } from '@photomaker/runware';
import type { PhotoMakerResult, RunwareError } from '@photomaker/schema';
import { sleep } from '@temporalio/activity';
import { timeRunware } from '../metrics.ts';
import type { ActivityDeps } from './deps.ts';

type Snapshot = Awaited<ReturnType<RunwareClient['getResponse']>>;

/** What one answered getResponse says about a run. */
export interface PollAnswer {
  /** Finished images not seen before (by this poller or in `known`). */
  fresh: PhotoMakerResult[];
  /** Every generation of the run has ended (success or failure). */
  done: boolean;
  /** Failed generations, once `done`. */
  errors: RunwareError[];
}

function readSnapshot(snapshot: Snapshot, numberResults: number, known: ReadonlySet<string>): PollAnswer {
  const successes: PhotoMakerResult[] = [];
  let processing = 0;
  for (const item of snapshot.items) {
    if (item.status === 'processing') processing += 1;
    else {
      const { status: _status, ...result } = item;
      successes.push(result as PhotoMakerResult);
    }
  }
  const fresh = successes.filter((result) => !known.has(result.imageUUID));
  const done = processing === 0 && successes.length + snapshot.errors.length >= numberResults;
  return { fresh, done, errors: done ? snapshot.errors : [] };
}

/**
 * Polls getResponse for one run until an answer has new images or the run has ended. A failed poll
 * only slows the cadence (never below Retry-After); `onAttempt` runs after every poll, answered or not
 * (the activity heartbeats there).
 */
export async function pollRun(
  deps: ActivityDeps,
  run: { taskUUID: string; numberResults: number },
  options: { known: ReadonlySet<string>; firstDelayMs: number; signal: AbortSignal; onAttempt: () => void },
): Promise<PollAnswer> {
  const { runware, metrics } = deps;
  const { initialMs, factor, maxMs } = deps.settings.poll;
  const next = (delay: number) => (delay <= 0 ? initialMs : Math.min(maxMs, delay * factor));
  const { signal } = options;
  let delay = options.firstDelayMs;
  for (;;) {
    if (delay > 0) await sleep(delay);
    let snapshot: Snapshot;
    try {
      snapshot = await timeRunware(metrics, 'getResponse', () =>
        runware.getResponse(run.taskUUID, { signal, retry: false }),
      );
    } catch (error) {
      if (signal.aborted || !(error instanceof RunwareClientError) || !error.retryable) throw error;
      options.onAttempt();
      // A failed poll only slows polling down (never below Retry-After).
      delay = Math.max(next(delay), error.retryAfterMs ?? 0);
      continue;
    }
    options.onAttempt();
    const answer = readSnapshot(snapshot, run.numberResults, options.known);
    if (answer.fresh.length > 0 || answer.done) return answer;
    delay = next(delay);
  }
}
