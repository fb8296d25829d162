import type { PhotoMakerResult } from '@photomaker/schema';
import type {
  PhotoMakerCallOptions,
  PhotoMakerRequest,
  PhotoMakerRun,
  RunPhotoMakerOptions,
} from '../client-options.ts';
import { RunwareClientError } from '../errors.ts';
import { ResultCollector } from '../result-collector.ts';
import type { FlowPort } from './flow-port.ts';
import { waitForResults } from './wait-for-results.ts';

/** One runPhotoMaker call: its task on the wire and what has been learnt about it so far. */
interface Run {
  port: FlowPort;
  wire: Record<string, unknown>;
  taskUUID: string;
  collector: ResultCollector;
  call: PhotoMakerCallOptions;
  /** Time left of the overall deadline (at least 1 ms). */
  remaining: () => number;
  /** Runware holds the task: `conflict` when an earlier send (not this one) got it there. */
  accept: (conflict: boolean) => void;
}

/**
 * The flow that never pays twice: send with a fixed taskUUID; on a transport failure re-send the SAME
 * taskUUID; once Runware says `conflictTaskUUID` (or acknowledges an async task) poll getResponse.
 */
export async function runPhotoMaker(
  port: FlowPort,
  task: PhotoMakerRequest,
  options: RunPhotoMakerOptions = {},
): Promise<PhotoMakerRun> {
  const mode = options.mode ?? 'async';
  const started = Date.now();
  const deadlineMs = options.deadlineMs ?? port.settings.deadlineMs;
  const wire = port.photoMakerTask(task, mode, options);
  const taskUUID = wire.taskUUID as string;
  let alreadyAccepted = false;
  let accepted = false;
  const run: Run = {
    port,
    wire,
    taskUUID,
    collector: new ResultCollector(),
    call: {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(options.onResult ? { onResult: options.onResult } : {}),
    },
    remaining: () => Math.max(1, deadlineMs - (Date.now() - started)),
    accept: (conflict) => {
      alreadyAccepted ||= conflict;
      if (accepted) return;
      accepted = true;
      options.onAccepted?.({ taskUUID, alreadyAccepted: conflict });
    },
  };
  if (mode === 'sync') {
    const results = await sendSync(run);
    if (results) return { taskUUID, results, alreadyAccepted, via: 'sync' };
  } else {
    await sendAsync(run);
  }
  const results = await waitForResults(port, taskUUID, {
    numberResults: typeof wire.numberResults === 'number' ? wire.numberResults : 1,
    deadlineMs: run.remaining(),
    collector: run.collector,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.poll ? { poll: options.poll } : {}),
    ...(options.onResult ? { onResult: options.onResult } : {}),
    ...(options.onSnapshot ? { onSnapshot: options.onSnapshot } : {}),
  });
  return { taskUUID, results, alreadyAccepted, via: 'getResponse' };
}

/** Sync sends (with retries): the images, or undefined when Runware holds the task and polling must finish. */
async function sendSync(run: Run): Promise<PhotoMakerResult[] | undefined> {
  const { port, call } = run;
  try {
    return await port.withPolicy(call, () =>
      port.sendSync(
        run.wire,
        { ...call, timeoutMs: Math.min(port.settings.syncTimeoutMs, run.remaining()) },
        run.collector,
        () => run.accept(false),
      ),
    );
  } catch (error) {
    // Conflict: an earlier attempt (ours, or a previous run of the caller) holds the task.
    // A sync answer cut short or out of time: the task runs on; the rest shows up in getResponse.
    if (!(error instanceof RunwareClientError) || !error.alreadyAccepted) throw error;
    run.accept(error.category === 'conflict');
    return undefined;
  }
}

/** Async sends (with retries) until acknowledged or met with a conflict; reports images the ack carried. */
async function sendAsync(run: Run): Promise<void> {
  const { port, call } = run;
  const ack = await port.withPolicy(call, () =>
    port.sendAsync(run.wire, {
      ...call,
      timeoutMs: Math.min(port.settings.requestTimeoutMs, run.remaining()),
    }),
  );
  run.accept(ack.alreadyAccepted);
  for (const { result, index } of run.collector.add(ack.results)) call.onResult?.(result, index);
}
