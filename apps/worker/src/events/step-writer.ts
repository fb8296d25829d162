import { EventGapError, type JobEventLog } from '@photomaker/events';
import type { JobEvent, JobEventData, JobStage } from '@photomaker/schema';
import { isTerminalStage } from '@photomaker/schema/job';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkerMetrics } from '../metrics.ts';
import { EVENT_CONFLICT, type EventRange, eventGapFailure } from './protocol.ts';

// The activity side of the job-event protocol (protocol.ts): appends that number within a reserved
// range, adopt what an earlier attempt published, and fail the way the workflow repairs.

export type EventMetrics = Pick<WorkerMetrics, 'events' | 'jobs'>;

/** Appends one event; a gap becomes the EVENT_GAP failure the workflow repairs (rule 4). */
async function appendEvent(
  log: JobEventLog,
  metrics: EventMetrics,
  event: JobEvent,
): Promise<'appended' | 'duplicate'> {
  let result: 'appended' | 'duplicate';
  try {
    result = await log.append(event);
  } catch (error) {
    if (error instanceof EventGapError) throw eventGapFailure(error.message, error.lastSeq);
    throw error;
  }
  metrics.events.inc({ result });
  // Counted once per job: a terminal event sent again is a duplicate.
  if (result === 'appended' && isTerminalStage(event.stage)) metrics.jobs.inc({ outcome: event.stage });
  return result;
}

/**
 * Events the workflow numbered itself, in order (its own local activity). Idempotent per seq: sending
 * again what is already there (a retried local activity, a gap repair) is a no-op.
 */
export async function publishNumbered(
  log: JobEventLog,
  metrics: EventMetrics,
  events: readonly JobEvent[],
): Promise<void> {
  for (const event of events) await appendEvent(log, metrics, event);
}

/**
 * The events of one step (rules 2 and 3): opened on the step's range, it adopts what an earlier attempt
 * published there, appends the workflow's unpublished events it does not find, then numbers on.
 */
export class StepWriter {
  /** Every event of the range so far: adopted, then appended, in seq order. */
  readonly events: JobEvent[];
  private readonly log: JobEventLog;
  private readonly metrics: EventMetrics;
  private readonly jobId: string;
  private readonly firstSeq: number;
  private readonly pending: Promise<void>[] = [];

  private constructor(options: {
    log: JobEventLog;
    metrics: EventMetrics;
    jobId: string;
    firstSeq: number;
    adopted: JobEvent[];
  }) {
    this.log = options.log;
    this.metrics = options.metrics;
    this.jobId = options.jobId;
    this.firstSeq = options.firstSeq;
    this.events = options.adopted.filter((event) => event.seq >= options.firstSeq);
  }

  /** Reads the range back (adopting it), then sends the unpublished events not found there. */
  static async open(options: {
    log: JobEventLog;
    metrics: EventMetrics;
    jobId: string;
    range: EventRange;
  }): Promise<StepWriter> {
    const { log, jobId, range } = options;
    const adopted = await log.range(jobId, range.firstSeq - 1);
    const writer = new StepWriter({ ...options, firstSeq: range.firstSeq, adopted });
    writer.sendUnpublished(range.unpublished ?? []);
    return writer;
  }

  /** Events of the range an earlier attempt already published (found at open). */
  has(predicate: (event: JobEvent) => boolean): boolean {
    return this.events.some(predicate);
  }

  /**
   * Numbers the event and sends it at once without waiting for Redis: appends go out in call order on
   * one connection (the append script refuses gaps), so several cost one round trip. `flush()` waits.
   */
  append<S extends JobStage>(stage: S, data: JobEventData<S>): JobEvent {
    const event = { jobId: this.jobId, seq: this.nextSeq, at: new Date().toISOString(), stage, data };
    return this.send(event as JobEvent);
  }

  /** Waits for every append sent so far; throws the first failure (EVENT_GAP, EVENT_CONFLICT, Redis). */
  async flush(): Promise<void> {
    const results = await Promise.allSettled(this.pending.splice(0));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private get nextSeq(): number {
    return this.firstSeq + this.events.length;
  }

  private sendUnpublished(events: readonly JobEvent[]): void {
    for (const event of events) {
      if (event.seq < this.nextSeq) continue;
      if (event.seq !== this.nextSeq) {
        throw new Error(`unpublished event ${event.seq} does not follow seq ${this.nextSeq - 1}`);
      }
      this.send(event);
    }
  }

  private send(event: JobEvent): JobEvent {
    this.events.push(event);
    const sent = appendEvent(this.log, this.metrics, event).then((result) => {
      if (result === 'appended') return;
      // Another attempt of this step (a zombie after a heartbeat timeout) wrote this seq: stop, and let
      // the retry adopt what the stream holds.
      throw ApplicationFailure.create({
        type: EVENT_CONFLICT,
        message: `event ${event.seq} of job ${this.jobId} was written by another attempt; retrying adopts it`,
      });
    });
    // Observed by flush(); never an unhandled rejection in between.
    sent.catch(() => undefined);
    this.pending.push(sent);
    return event;
  }
}
