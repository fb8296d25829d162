import { RunwareClientError } from '@photomaker/runware';
import type { RunwareSocket } from '@photomaker/runware/socket';
import type { PhotoMakerResult } from '@photomaker/schema';
import type { RunwareSocketLink } from '../runware-socket-link.ts';
import { generationFailures, isStaleReference, type wireTask } from './runware-step.ts';
import type { GenerationFailure } from './types.ts';

/** How one image task on the socket ended. */
export type PushedOutcome =
  | { kind: 'done' }
  | { kind: 'failed'; failure: GenerationFailure }
  /** Runware forgot a cached reference: refresh it and send again (refused tasks leave no trace). */
  | { kind: 'staleReference' }
  /** The socket could not see it through (down too long, new session, timeout): REST picks it up. */
  | { kind: 'rest'; reason: unknown };

/**
 * One image task over the worker's shared Runware WebSocket (deliveryMethod sync): its image is stored
 * (and its event published) the moment Runware pushes it, with no polling in between. Failures of the
 * socket are not failures of the task: they hand it to REST, which asks Runware (getTaskDetails) what
 * it holds before sending anything, so nothing is submitted or paid twice. Runware's own refusals throw.
 */
export async function runOnSocket(options: {
  socket: RunwareSocket;
  link: RunwareSocketLink;
  wire: ReturnType<typeof wireTask>;
  /** The run's end or its drain: stop waiting and rethrow. */
  signal: AbortSignal;
  store: (results: readonly PhotoMakerResult[]) => Promise<void>;
}): Promise<PushedOutcome> {
  const { socket, link, signal } = options;
  const down = new AbortController();
  const stopWatching = link.whileDown(socket, (error) => down.abort(error));
  const stores: Promise<void>[] = [];
  const store = (results: readonly PhotoMakerResult[]) => {
    const stored = options.store(results);
    stored.catch(() => undefined); // awaited below; this only marks it handled meanwhile
    stores.push(stored);
  };
  try {
    await socket.photoMaker(options.wire, {
      signal: AbortSignal.any([signal, down.signal]),
      onResult: (result) => store([result]),
    });
    return { kind: 'done' };
  } catch (error) {
    if (signal.aborted) throw error;
    if (error instanceof RunwareClientError && error.generationFailed) {
      store(error.results);
      const failure = generationFailures(error.errors)[0];
      if (failure) return { kind: 'failed', failure };
    }
    if (isStaleReference(error)) return { kind: 'staleReference' };
    // Refused by Runware (validation, credits, ...): the same answer would come over REST.
    if (error instanceof RunwareClientError && !error.retryable && !error.alreadyAccepted) throw error;
    return { kind: 'rest', reason: error };
  } finally {
    stopWatching();
    await Promise.all(stores);
  }
}
