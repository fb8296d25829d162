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

  async append<S extends JobStage>(stage: S, data: JobEventData<S>): Promise<JobEvent> {
    return this.appendEvent({
      jobId: this.jobId,
      seq: this.firstSeq + this.events.length,
      at: new Date().toISOString(),
      stage,
      data,
    } as JobEvent);
  }

  /** Appends events the workflow made (numbered by it), unless an earlier attempt already did. */
  async appendPrelude(events: readonly JobEvent[]): Promise<void> {
    for (const event of events) {
      if (event.seq < this.firstSeq + this.events.length) continue;
      if (event.seq !== this.firstSeq + this.events.length) {
        throw new Error(
          `prelude event ${event.seq} does not follow seq ${this.firstSeq + this.events.length - 1}`,
        );
      }
      await this.appendEvent(event);
    }
  }

  private async appendEvent(event: JobEvent): Promise<JobEvent> {
    const stage = event.stage;
    const result = await this.log.append(event);
    this.metrics.events.inc({ result });
    if (result === 'duplicate') {
      // Another attempt of this call (a zombie after a heartbeat timeout) wrote this seq: stop, and let
      // the retry adopt what the stream holds.
      throw ApplicationFailure.create({
        type: 'EventConflict',
        message: `event ${event.seq} of job ${this.jobId} was written by another attempt; retrying adopts it`,
      });
    }
    if (stage === 'succeeded' || stage === 'failed' || stage === 'cancelled') {
      this.metrics.jobs.inc({ outcome: stage });
    }
    this.events.push(event);
    return event;
  }
}
