import type { Logger } from '@photomaker/observability';
import { isTerminalStage, isTerminalStatus, type JobEvent, type JobState } from '@photomaker/schema';
import type { EventHub } from '../events/event-hub.ts';
import { PushIterator } from '../events/push-iterator.ts';
import type { QueueUpdate, QueueWatch } from '../events/queue-watch.ts';
import type { UnfinishedJobWatch } from '../events/unfinished-job-watch.ts';

/**
 * What following a job yields: first a snapshot of the job, then its logged events; with `queueUpdates`,
 * also where a queued job stands in the admission queue. A queue item is not logged: it repeats the seq of
 * the last event handed out (resuming after it misses nothing) and is never replayed.
 */
export type JobEventItem =
  | { kind: 'snapshot'; at: string; state: JobState }
  | { kind: 'event'; event: JobEvent }
  | { kind: 'queue'; at: string; jobId: string; seq: number; numberResults: number; update: QueueUpdate };

export interface FollowOptions {
  /** The last seq the caller saw (0: from the start). */
  afterSeq?: number | undefined;
  /** Or a getter, so a subscription that never logs never makes its child logger. */
  logger: Logger | (() => Logger);
  /** The error a subscriber that fell `QUEUE_LIMIT` events behind fails with (a transport's own). */
  overflow?: () => unknown;
  /** Wraps each live event (transports that share one payload per event across subscribers). */
  itemOf?: (event: JobEvent) => JobEventItem;
  /** Runs when the job is found and following starts (e.g. a gauge of live subscriptions). */
  onOpen?: () => void;
  /** Runs once when the stream ends, fails or is closed by its consumer. */
  onClose?: () => void;
  /** Also yield `queue` items while the job waits in the admission queue (when the process has a QueueWatch). */
  queueUpdates?: boolean;
  /** The job's state as the caller just read or started it (the tenant's job): not read again. */
  known?: JobState;
}

/** Events a subscriber may have queued before it counts as too slow (a job emits ~25). */
export const QUEUE_LIMIT = 1_000;

const plainItem = (event: JobEvent): JobEventItem => ({ kind: 'event', event });

/**
 * Follow one job: its current snapshot, then every event after max(afterSeq, snapshot seq) from the
 * process's event hub, ending after the terminal event (at once if the job has already finished). A job
 * that ends without one (terminated by an operator, timed out) ends with a final snapshot of how it ended,
 * which the unfinished-job watch notices. `return()` on the iterator stops following at once.
 */
export class FollowJob {
  private readonly read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
  private readonly hub: Pick<EventHub, 'attach'>;
  private readonly unfinished: Pick<UnfinishedJobWatch, 'watch'>;
  private readonly queue: Pick<QueueWatch, 'watch'> | undefined;

  constructor(deps: {
    read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
    hub: Pick<EventHub, 'attach'>;
    unfinished: Pick<UnfinishedJobWatch, 'watch'>;
    queue?: Pick<QueueWatch, 'watch'>;
  }) {
    this.read = deps.read;
    this.hub = deps.hub;
    this.unfinished = deps.unfinished;
    this.queue = deps.queue;
  }

  /** undefined when the job does not exist for `tenant`. `jobId` is canonical (normalizeJobId). */
  async follow(
    tenant: string,
    jobId: string,
    options: FollowOptions,
  ): Promise<AsyncIterableIterator<JobEventItem> | undefined> {
    const state = options.known ?? (await this.read(tenant, jobId));
    if (!state) return undefined;
    let detach: () => void = () => undefined;
    let unwatch: () => void = () => undefined;
    let unqueue: () => void = () => undefined;
    options.onOpen?.();
    const stream = new PushIterator<JobEventItem>({
      limit: QUEUE_LIMIT,
      ...(options.overflow ? { overflow: options.overflow } : {}),
      onClose: () => {
        detach();
        unwatch();
        unqueue();
        options.onClose?.();
      },
    });
    stream.push({ kind: 'snapshot', at: new Date().toISOString(), state });
    if (isTerminalStatus(state.status)) {
      stream.end();
      return stream;
    }
    const itemOf = options.itemOf ?? plainItem;
    let seen = Math.max(options.afterSeq ?? 0, state.seq);
    detach = this.hub.attach(jobId, seen, {
      deliver(events) {
        for (const event of events) {
          seen = event.seq;
          // Past `queued`, the job holds a slot: its logged events say the rest.
          if (event.stage !== 'queued') unqueue();
          stream.push(itemOf(event));
          if (isTerminalStage(event.stage)) stream.end();
        }
      },
      fail(error) {
        const logger = typeof options.logger === 'function' ? options.logger() : options.logger;
        logger.warn({ err: error, jobId }, 'event subscription failed');
        stream.fail(error);
      },
    });
    unwatch = this.unfinished.watch(jobId, {
      tenant,
      seenSeq: () => seen,
      ended(final) {
        stream.push({ kind: 'snapshot', at: new Date().toISOString(), state: final });
        stream.end();
      },
    });
    if (options.queueUpdates && this.queue && state.status === 'QUEUED') {
      const numberResults = state.task.numberResults;
      const stop = this.queue.watch(jobId, (update) =>
        stream.push({ kind: 'queue', at: new Date().toISOString(), jobId, seq: seen, numberResults, update }),
      );
      unqueue = () => {
        unqueue = () => undefined;
        stop();
      };
    }
    return stream;
  }
}
