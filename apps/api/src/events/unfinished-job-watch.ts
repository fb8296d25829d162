import type { Logger } from '@photomaker/observability';
import { isTerminalStatus, type JobState } from '@photomaker/schema';

/** A live subscription to one job, as the watch sees it. */
export interface JobWatcher {
  tenant: string;
  /** The highest seq this subscriber has been handed. */
  seenSeq(): number;
  /** The job ended without a terminal event reaching its stream: `state` is how it ended. */
  ended(state: JobState): void;
}

interface Watched {
  watchers: Set<JobWatcher>;
  timer: NodeJS.Timeout;
  checking: boolean;
}

/**
 * Subscribers wait for a job's terminal event, but a workflow an operator terminated (or one that timed
 * out) never writes one. Every `intervalMs`, per job with subscribers in this process (not per
 * subscriber), this reads the job's state the way `job(id)` does — which checks unfinished jobs older than
 * a few seconds against Temporal — and ends the subscriptions of a job that has ended that way.
 */
export class UnfinishedJobWatch {
  private readonly read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
  private readonly intervalMs: number;
  private readonly logger: Logger;
  private readonly jobs = new Map<string, Watched>();

  constructor(options: {
    read: (tenant: string, jobId: string) => Promise<JobState | undefined>;
    intervalMs: number;
    logger: Logger;
  }) {
    this.read = options.read;
    this.intervalMs = options.intervalMs;
    this.logger = options.logger;
  }

  /** Returns the function that stops watching for `watcher`. */
  watch(jobId: string, watcher: JobWatcher): () => void {
    let watched = this.jobs.get(jobId);
    if (!watched) {
      const timer = setInterval(() => void this.check(jobId), this.intervalMs);
      timer.unref();
      watched = { watchers: new Set(), timer, checking: false };
      this.jobs.set(jobId, watched);
    }
    watched.watchers.add(watcher);
    return () => this.unwatch(jobId, watcher);
  }

  close(): void {
    for (const watched of this.jobs.values()) clearInterval(watched.timer);
    this.jobs.clear();
  }

  private unwatch(jobId: string, watcher: JobWatcher): void {
    const watched = this.jobs.get(jobId);
    if (!watched?.watchers.delete(watcher)) return;
    if (watched.watchers.size > 0) return;
    clearInterval(watched.timer);
    this.jobs.delete(jobId);
  }

  private async check(jobId: string): Promise<void> {
    const watched = this.jobs.get(jobId);
    const first = watched?.watchers.values().next().value;
    if (!watched || !first || watched.checking) return;
    watched.checking = true;
    try {
      const state = await this.read(first.tenant, jobId);
      if (!state || !isTerminalStatus(state.status)) return;
      for (const watcher of [...watched.watchers]) {
        // Events up to the state's seq are still on their way to this subscriber (its terminal event
        // among them): the event stream ends it, in order.
        if (state.seq > watcher.seenSeq()) continue;
        watcher.ended(state);
      }
    } catch (error) {
      // Redis or Temporal unreachable: the next round asks again.
      this.logger.debug(
        { jobId, reason: error instanceof Error ? error.message : String(error) },
        'unfinished-job check failed',
      );
    } finally {
      watched.checking = false;
    }
  }
}
