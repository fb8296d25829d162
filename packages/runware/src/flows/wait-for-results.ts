import type { PhotoMakerResult, RunwareError } from '@photomaker/schema';
import type { WaitOptions } from '../client-options.ts';
import { apiErrorFrom } from '../error-mapping.ts';
import { RunwareDeadlineError } from '../errors.ts';
import type { PollPolicy } from '../poll-policy.ts';
import { ResultCollector } from '../result-collector.ts';
import { type FetchSnapshot, type ResultBatch, watchSnapshots } from '../watch-results.ts';
import type { FlowPort } from './flow-port.ts';

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
 * Polls (through the one engine, `watchSnapshots`) until `numberResults` images succeeded. A failed
 * generation ends the wait as a `generationFailed` RunwareApiError, but only once no generation is still
 * processing (they are paid for too) and after every finished image was reported.
 */
export async function pollForResults(
  fetchSnapshot: FetchSnapshot,
  options: PollOptions,
): Promise<PhotoMakerResult[]> {
  const collector = options.collector ?? new ResultCollector();
  const { onResult, onSnapshot, ...engine } = options;
  let last: ResultBatch | undefined;
  try {
    for await (const batch of watchSnapshots(fetchSnapshot, { ...engine, collector })) {
      last = batch;
      for (const result of batch.fresh) onResult?.(result, batch.results.indexOf(result));
      const { results, processing, errors, polls } = batch;
      onSnapshot?.({ results, processing, errors, polls });
      if (settled(batch, options.numberResults)) break;
    }
  } catch (error) {
    // Out of time with a generation already failed: the failure is the news, not the deadline.
    if (error instanceof RunwareDeadlineError && last && last.errors.length > 0)
      throw generationError(options.taskUUID, collector, last.errors);
    throw error;
  }
  // The engine ends at the latest with the batch where every generation ended, which is settled.
  if (last && last.errors.length > 0) throw generationError(options.taskUUID, collector, last.errors);
  return collector.inBatchOrder();
}

/** `RunwareClient.waitForResults`: the client's poll policy and deadline unless the call sets its own. */
export function waitForResults(
  port: FlowPort,
  taskUUID: string,
  options: WaitOptions,
): Promise<PhotoMakerResult[]> {
  const { deadlineMs, poll, ...rest } = options;
  return pollForResults(port.pollSnapshot(taskUUID), {
    ...rest,
    taskUUID,
    deadlineMs: deadlineMs ?? port.settings.deadlineMs,
    policy: { ...port.settings.poll, ...poll },
  });
}

/** Complete, or failed with nothing left running. */
function settled(batch: ResultBatch, numberResults: number): boolean {
  if (batch.errors.length > 0) return batch.processing === 0;
  return batch.results.length >= numberResults;
}

function generationError(taskUUID: string, collector: ResultCollector, errors: RunwareError[]) {
  return apiErrorFrom(
    { status: undefined, errors, results: collector.inBatchOrder(), generationFailed: true },
    { taskUUID, taskType: 'photoMaker' },
  );
}
