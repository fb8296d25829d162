import type { JobEventLog } from '@photomaker/events';
import type { JobEvent, JobEventData, JobStage } from '@photomaker/schema';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkerMetrics } from '../metrics.ts';

/**
 * The events one activity call appends, numbered from the seq the workflow gave it. Events an earlier
 * attempt of the same call appended are adopted, not re-sent: subscribers may have seen them already.
 */
export class StepEvents {
  readonly events: JobEvent[];
  private readonly log: JobEventLog;
  private readonly jobId: string;
  private readonly firstSeq: number;
  private readonly metrics: WorkerMetrics;

  constructor(options: {
    log: JobEventLog;
    jobId: string;
    firstSeq: number;
    adopted: JobEvent[];
    metrics: WorkerMetrics;
  }) {
    this.log = options.log;
    this.jobId = options.jobId;
    this.firstSeq = options.firstSeq;
    this.metrics = options.metrics;
    this.events = options.adopted.filter((event) => event.seq >= options.firstSeq);
  }

  has(predicate: (event: JobEvent) => boolean): boolean {
    return this.events.some(predicate);
  }

  private get nextSeq(): number {
    return this.firstSeq + this.events.length;
  }

  /**
   * Numbers the event and sends it at once without waiting for Redis: appends go out in call order on
   * one connection (the append script refuses gaps), so several cost one round trip. `flush()` waits.
   */
  append<S extends JobStage>(stage: S, data: JobEventData<S>): JobEvent {
    return this.send({
      jobId: this.jobId,
      seq: this.nextSeq,
      at: new Date().toISOString(),
      stage,
      data,
    } as JobEvent);
  }

  /** Events the workflow made (numbered by it), unless an earlier attempt already appended them. */
  appendPrelude(events: readonly JobEvent[]): void {
    for (const event of events) {
      if (event.seq < this.nextSeq) continue;
      if (event.seq !== this.nextSeq) {
        throw new Error(`prelude event ${event.seq} does not follow seq ${this.nextSeq - 1}`);
      }
      this.send(event);
    }
  }

  /** Waits for every append sent so far; throws the first failure (a gap, a conflict, Redis). */
  async flush(): Promise<void> {
    const pending = this.pending.splice(0);
    const results = await Promise.allSettled(pending);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private readonly pending: Promise<void>[] = [];

  private send(event: JobEvent): JobEvent {
    this.events.push(event);
    const sent = this.log.append(event).then((result) => {
      this.metrics.events.inc({ result });
      if (result === 'duplicate') {
        // Another attempt of this call (a zombie after a heartbeat timeout) wrote this seq: stop, and
        // let the retry adopt what the stream holds.
        throw ApplicationFailure.create({
          type: 'EventConflict',
          message: `event ${event.seq} of job ${this.jobId} was written by another attempt; retrying adopts it`,
        });
      }
      if (event.stage === 'succeeded' || event.stage === 'failed' || event.stage === 'cancelled') {
        this.metrics.jobs.inc({ outcome: event.stage });
      }
    });
    // Observed by flush(); never an unhandled rejection in between.
    sent.catch(() => undefined);
    this.pending.push(sent);
    return event;
  }
}
