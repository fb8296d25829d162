import type { Logger } from '@photomaker/observability';
import type { QueueStatus } from '@photomaker/temporal';
import type { QueueStatuses } from '../jobs/queue-statuses.ts';

/** Where a queued job stands, as a `JobQueued` update carries it. */
export interface QueueUpdate {
  position: number | null;
  estimatedStartAt: string | null;
  estimatedFinishAt: string | null;
}

export type QueueListener = (update: QueueUpdate) => void;

interface Watched {
  listeners: Set<QueueListener>;
  /** What the listeners last got (or the snapshot showed): an update is sent only when this changes. */
  last: QueueUpdate | undefined;
  lastSentAt: number;
}

export interface QueueWatchOptions {
  statuses: Pick<QueueStatuses, 'loadMany'>;
  logger: Logger;
  /** How often the watched jobs are asked about, and the least time between two updates of one job. */
  intervalMs?: number;
  /** An estimate that moved less than this is no news (positions always are). */
  minShiftMs?: number;
}

export function queueUpdateOf(status: QueueStatus | undefined): QueueUpdate {
  return {
    position: status?.state === 'queued' ? (status.position ?? null) : null,
    estimatedStartAt: status?.estimatedStartAt ?? null,
    estimatedFinishAt: status?.estimatedFinishAt ?? null,
  };
}

const shift = (a: string | null, b: string | null) =>
  a === null || b === null
    ? a === b
      ? 0
      : Number.POSITIVE_INFINITY
    : Math.abs(Date.parse(a) - Date.parse(b));

/**
 * One poller per API process for every subscribed queued job: each `intervalMs` it asks the admission
 * workflow about all of them at once (QueueStatuses batches them, 500 ids a query) and tells a job's
 * listeners when its position changed or an estimate moved by `minShiftMs` or more — at most once per job
 * per `intervalMs`. A job leaves the poll when admission says it runs, or when its last listener goes
 * (FollowJob unwatches as soon as the job's next logged event arrives).
 */
export class QueueWatch {
  private readonly statuses: Pick<QueueStatuses, 'loadMany'>;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly minShiftMs: number;
  private readonly jobs = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(options: QueueWatchOptions) {
    this.statuses = options.statuses;
    this.logger = options.logger;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.minShiftMs = options.minShiftMs ?? 2_000;
  }

  /** Jobs being polled (for tests and metrics). */
  get size(): number {
    return this.jobs.size;
  }

  /** Tells `listener` about changes of `jobId`'s place in the queue; returns the function that stops it. */
  watch(jobId: string, listener: QueueListener): () => void {
    let watched = this.jobs.get(jobId);
    if (!watched) {
      watched = { listeners: new Set(), last: undefined, lastSentAt: 0 };
      this.jobs.set(jobId, watched);
      this.seed(jobId, watched);
    }
    watched.listeners.add(listener);
    this.timer ??= setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
    return () => this.unwatch(jobId, listener);
  }

  close(): void {
    this.jobs.clear();
    this.stopTimer();
  }

  /** What the subscriber's snapshot showed (the same cached answer): the first update is a change. */
  private seed(jobId: string, watched: Watched): void {
    this.statuses.loadMany([jobId]).then(
      (found) => {
        watched.last ??= queueUpdateOf(found.get(jobId));
      },
      () => undefined,
    );
  }

  private unwatch(jobId: string, listener: QueueListener): void {
    const watched = this.jobs.get(jobId);
    if (!watched?.listeners.delete(listener) || watched.listeners.size > 0) return;
    this.jobs.delete(jobId);
    if (this.jobs.size === 0) this.stopTimer();
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling || this.jobs.size === 0) return;
    this.polling = true;
    try {
      const found = await this.statuses.loadMany([...this.jobs.keys()]);
      const now = Date.now();
      for (const [jobId, watched] of [...this.jobs]) this.consider(jobId, watched, found.get(jobId), now);
    } catch (error) {
      // QueueStatuses answers undefined rather than failing; this is a bug's last line of defence.
      this.logger.warn({ err: error }, 'queue poll failed');
    } finally {
      this.polling = false;
    }
  }

  private consider(jobId: string, watched: Watched, status: QueueStatus | undefined, now: number): void {
    if (status?.state === 'running') {
      // Its next logged event is on its way: nothing left to poll for.
      this.jobs.delete(jobId);
      if (this.jobs.size === 0) this.stopTimer();
      return;
    }
    // Unknown to admission (not enqueued yet, or admission not answering): no news.
    if (!status) return;
    const update = queueUpdateOf(status);
    if (!this.changed(watched.last, update) || now - watched.lastSentAt < this.intervalMs) return;
    watched.last = update;
    watched.lastSentAt = now;
    for (const listener of [...watched.listeners]) listener(update);
  }

  private changed(last: QueueUpdate | undefined, next: QueueUpdate): boolean {
    if (!last) return true;
    return (
      last.position !== next.position ||
      shift(last.estimatedStartAt, next.estimatedStartAt) >= this.minShiftMs ||
      shift(last.estimatedFinishAt, next.estimatedFinishAt) >= this.minShiftMs
    );
  }
}
