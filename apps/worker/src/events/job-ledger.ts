import type { JobEvent, JobEventData, JobStage, JobState, JobStatus } from '@photomaker/schema';
import { applyJobEvent, initialJobState } from '@photomaker/schema/job';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { CancellationScope, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { EVENT_GAP, type EventRange, eventGapOf } from './protocol.ts';

// The workflow side of the job-event protocol (protocol.ts). Workflow code: deterministic, I/O only
// through the two local activities of event-activities.ts.

const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // Redis down: keep trying, with backoff, until it is back (the job waits, nothing is lost).
  retry: {
    initialInterval: '100 milliseconds',
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: [EVENT_GAP],
  },
});

/**
 * The job's events as the workflow holds them: the state folded from them, the numbering (rule 1), the
 * events not yet published, and the repairs (rules 3 and 4).
 */
export class JobLedger {
  state: JobState;
  private readonly jobId: string;
  /** Every event of the job so far, to publish again after a Redis data loss. */
  private readonly events: JobEvent[] = [];
  /** Applied, not yet published: the next step's range opens with them. */
  private unpublished: JobEvent[] = [];
  private readonly onStatus: (status: JobStatus) => void;

  constructor(input: PhotoMakerJobInput, onStatus: (status: JobStatus) => void) {
    this.jobId = input.jobId;
    this.state = initialJobState(input);
    this.onStatus = onStatus;
  }

  /** Folds events in seq order; what is already applied is skipped, nothing past a gap is applied. */
  apply(events: readonly JobEvent[]): void {
    const before = this.state.status;
    for (const event of events) {
      if (event.seq <= this.state.seq) continue;
      if (event.seq !== this.state.seq + 1) break;
      this.state = applyJobEvent(this.state, event);
      this.events.push(event);
    }
    if (this.state.status !== before) this.onStatus(this.state.status);
  }

  /** Applies the next event and leaves it for the next step to publish (saves a local activity). */
  hold<S extends JobStage>(stage: S, data: JobEventData<S>): void {
    const event = this.next(stage, data);
    this.apply([event]);
    this.unpublished.push(event);
  }

  /** Applies the next event and publishes it now. */
  async emit<S extends JobStage>(stage: S, data: JobEventData<S>): Promise<void> {
    const event = this.next(stage, data);
    this.apply([event]);
    await this.publish([event]);
  }

  /** The range of the next step (rule 1); the unpublished events go with it. */
  reserve(): EventRange {
    const unpublished = this.unpublished;
    this.unpublished = [];
    return {
      firstSeq: unpublished[0]?.seq ?? this.state.seq + 1,
      ...(unpublished.length > 0 ? { unpublished } : {}),
    };
  }

  /** A step that did not run gives its range back: its unpublished events go with the next one. */
  release(range: EventRange): void {
    this.unpublished = range.unpublished ?? [];
  }

  /**
   * Rule 3: what a failed step already published stays published; fold it, so state and stream agree
   * (and the next event the workflow writes follows it). Runs even in a cancelled scope.
   */
  async adopt(): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      this.apply(await local.readEvents({ jobId: this.jobId, afterSeq: this.state.seq }));
    });
  }

  /**
   * Rule 4: when `error` is EVENT_GAP, publishes again what the stream lost and answers true (repeat
   * the step); false for any other error.
   */
  async repair(error: unknown): Promise<boolean> {
    const lastSeq = eventGapOf(error);
    if (lastSeq === undefined) return false;
    await this.publish(this.since(lastSeq));
    return true;
  }

  private next<S extends JobStage>(stage: S, data: JobEventData<S>): JobEvent {
    const event = { jobId: this.jobId, seq: this.state.seq + 1, at: new Date().toISOString(), stage, data };
    return event as JobEvent;
  }

  private since(lastSeq: number): JobEvent[] {
    return this.events.filter((event) => event.seq > lastSeq);
  }

  /** Appends through a local activity (no server round trip); a gap is repaired at once. */
  private async publish(events: JobEvent[]): Promise<void> {
    try {
      await local.publishEvents(events);
    } catch (error) {
      const lastSeq = eventGapOf(error);
      if (lastSeq === undefined) throw error;
      await local.publishEvents(this.since(lastSeq));
    }
  }
}
