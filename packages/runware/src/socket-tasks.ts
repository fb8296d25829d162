import {
  classifyRunwareError,
  type PhotoMakerResult,
  photoMakerResultSchema,
  type RunwareError,
} from '@photomaker/schema';
import type { RunwareEnvelope, RunwareItem } from './envelope.ts';
import { apiErrorFrom, isGenerationFailure } from './error-mapping.ts';
import { RunwareDeadlineError } from './errors.ts';
import { ResultCollector } from './result-collector.ts';

export interface SocketTaskOptions {
  signal?: AbortSignal;
  onResult?: (result: PhotoMakerResult, index: number) => void;
  timeoutMs?: number;
  validate?: boolean;
}

/** A task waiting for its images on the socket. */
export interface PendingTask {
  taskUUID: string;
  numberResults: number;
  /** The frame to send again after a reconnect (none for `watch`). */
  frame: Record<string, unknown> | undefined;
  /** The connection (1-based) the frame was last written to; undefined while queued. */
  sentOn: number | undefined;
  /** Sent again after a reconnect: a conflict now only means the first send landed. */
  resent: boolean;
  /**
   * Written to a connection that dropped: getResponse asked whether it landed. `taskNotFound` means it
   * did not (send it now); anything else means Runware holds it (never sent twice, never paid twice).
   */
  probing: boolean;
  collector: ResultCollector;
  /** Failed generations reported so far. */
  failures: RunwareError[];
  onResult: ((result: PhotoMakerResult, index: number) => void) | undefined;
  resolve: (results: PhotoMakerResult[]) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

/** What a frame asks of the socket beyond delivering results. */
export interface Routed {
  /** `pong` answers in the frame. */
  pongs: number;
  /** Tasks whose re-send met a conflict: ask getResponse on the socket for what the replay may lack. */
  askState: string[];
  /** Probed tasks Runware never received: send them now. */
  send: string[];
}

type Batches = Map<PendingTask, { items: RunwareItem[]; errors: RunwareError[] }>;

/** The tasks waiting on one RunwareSocket, by taskUUID: frames in, each task's images and outcome out. */
export class SocketTasks {
  private readonly pending = new Map<string, PendingTask>();
  private readonly apiKey: string;

  constructor(apiKey: string) {
    this.apiKey = apiKey;
  }

  get(taskUUID: string): PendingTask | undefined {
    return this.pending.get(taskUUID);
  }

  all(): PendingTask[] {
    return [...this.pending.values()];
  }

  rejectAll(error: unknown): void {
    for (const task of this.all()) task.reject(error);
  }

  /** Registers a task; the promise settles with its images, a failure, its timeout or its signal. */
  track(
    taskUUID: string,
    numberResults: number,
    frame: Record<string, unknown> | undefined,
    options: SocketTaskOptions & { timeoutMs: number },
  ): Promise<PhotoMakerResult[]> {
    if (this.pending.has(taskUUID)) {
      return Promise.reject(
        new TypeError(`RunwareSocket: task ${taskUUID} is already in flight on this socket`),
      );
    }
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise<PhotoMakerResult[]>((resolve, reject) => {
      const collector = new ResultCollector();
      const { timeoutMs } = options;
      const timer = setTimeout(() => {
        task.reject(
          new RunwareDeadlineError({
            message: `Runware task ${taskUUID}: ${collector.results.length} of ${numberResults} images on the socket after ${timeoutMs} ms; it may still finish: poll getResponse`,
            category: 'timeout',
            retryable: true,
            code: 'resultTimeout',
            taskUUID,
            taskType: 'photoMaker',
            results: collector.inBatchOrder(),
          }),
        );
      }, timeoutMs);
      const onAbort = () => task.reject(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const task: PendingTask = {
        taskUUID,
        numberResults,
        frame,
        sentOn: undefined,
        resent: false,
        probing: false,
        collector,
        failures: [],
        onResult: options.onResult,
        cleanup: () => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          this.pending.delete(taskUUID);
        },
        resolve: (results) => {
          task.cleanup();
          resolve(results);
        },
        reject: (error) => {
          task.cleanup();
          reject(error);
        },
      };
      this.pending.set(taskUUID, task);
    });
  }

  /** Routes one frame's items and errors to their tasks and settles the tasks that are complete. */
  route(envelope: RunwareEnvelope): Routed {
    const routed: Routed = { pongs: 0, askState: [], send: [] };
    const byTask: Batches = new Map();
    for (const item of envelope.data) {
      if (item.taskType === 'ping' && item.pong === true) routed.pongs += 1;
      else this.batchOf(byTask, item.taskUUID)?.items.push(item);
    }
    for (const error of envelope.errors) {
      const batch = this.batchOf(byTask, error.taskUUID);
      if (batch) batch.errors.push(error);
      else if (classifyRunwareError({ code: error.code }).category === 'auth') {
        // The session lost its authentication: every task on it fails the same way.
        this.rejectAll(apiErrorFrom({ status: undefined, errors: [error] }, { apiKey: this.apiKey }));
      }
    }
    for (const [task, { items, errors }] of byTask) {
      const action = this.deliver(task, items, errors);
      if (action === 'askState') routed.askState.push(task.taskUUID);
      if (action === 'send') routed.send.push(task.taskUUID);
    }
    return routed;
  }

  /** The frame's share of a waiting task, or undefined when no task of ours has this taskUUID. */
  private batchOf(
    byTask: Batches,
    taskUUID: unknown,
  ): { items: RunwareItem[]; errors: RunwareError[] } | undefined {
    const task = typeof taskUUID === 'string' ? this.pending.get(taskUUID) : undefined;
    if (!task) return undefined;
    const batch = byTask.get(task) ?? { items: [], errors: [] };
    byTask.set(task, batch);
    return batch;
  }

  /** What the socket should do next for the task: ask its state (a re-send met a conflict) or send it. */
  private deliver(
    task: PendingTask,
    items: RunwareItem[],
    errors: RunwareError[],
  ): 'askState' | 'send' | undefined {
    const context = { taskUUID: task.taskUUID, taskType: 'photoMaker', apiKey: this.apiKey };
    if (task.probing) {
      const missing = errors.find(
        (error) => classifyRunwareError({ code: error.code }).category === 'notFound',
      );
      if (missing) {
        // The probe after a reconnect: the frame never reached Runware, so this is its first send.
        task.probing = false;
        errors = errors.filter((error) => error !== missing);
        if (items.length === 0 && errors.length === 0) return 'send';
      }
    }
    for (const { result, index } of task.collector.add(resultsOf(items))) task.onResult?.(result, index);
    const conflict = errors.find(
      (error) => classifyRunwareError({ code: error.code }).category === 'conflict',
    );
    const others = errors.filter((error) => error !== conflict);
    // Our re-send after a reconnect met conflict: the first send was accepted.
    const askState = conflict !== undefined && task.resent ? 'askState' : undefined;
    const refusals = [
      ...(conflict && !task.resent ? [conflict] : []),
      ...others.filter((error) => !isGenerationFailure([error], 0)),
    ];
    if (refusals.length > 0) {
      // Nothing more will come for this task (validation, conflict, capacity, ...).
      task.reject(apiErrorFrom({ status: undefined, errors: refusals }, context));
      return askState;
    }
    // Failed generations count toward the batch; the call fails once every generation is accounted for.
    task.failures.push(...others);
    if (task.collector.results.length + task.failures.length >= task.numberResults) settle(task, context);
    return askState;
  }
}

/** The finished images among a frame's items, in the sync result shape. */
function resultsOf(items: readonly RunwareItem[]): PhotoMakerResult[] {
  const results: PhotoMakerResult[] = [];
  for (const item of items) {
    if (typeof item.imageUUID !== 'string' || (item.status !== undefined && item.status !== 'success'))
      continue;
    const { status: _status, ...rest } = item;
    const parsed = photoMakerResultSchema.safeParse({ taskType: 'photoMaker', ...rest });
    if (parsed.success) results.push(parsed.data);
  }
  return results;
}

function settle(task: PendingTask, context: { taskUUID: string; taskType: string; apiKey: string }): void {
  if (task.failures.length === 0) {
    task.resolve(task.collector.inBatchOrder());
    return;
  }
  task.reject(
    apiErrorFrom(
      {
        status: undefined,
        errors: task.failures,
        results: task.collector.inBatchOrder(),
        generationFailed: true,
      },
      context,
    ),
  );
}
