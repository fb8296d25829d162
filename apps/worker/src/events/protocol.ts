import type { JobEvent } from '@photomaker/schema';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';

/*
 * The job-event protocol: how a job's progress events get into its Redis stream (@photomaker/events,
 * one stream per job, entry id = seq, appends refuse duplicates and gaps atomically).
 *
 * 1. The workflow numbers. Every event has the seq the workflow gives it, or one inside a range the
 *    workflow reserved: a step (an activity call that appends) gets an `EventRange` starting at the seq
 *    after the workflow's last one. Events the workflow made but has not published yet (`unpublished`,
 *    e.g. the job's `queued`) open that range, numbered by the workflow.
 * 2. A step appends within its range, in order: the unpublished events first, then its own, numbered on
 *    from there. It returns every event of its range and the workflow folds them. The job's last step
 *    may write the job's `succeeded` itself (`endsJob`), so the end reaches subscribers without another
 *    workflow task.
 * 3. A retry adopts what was published. Every attempt of a step (and the task-queue step that takes over
 *    from the local one) first reads its range back from the stream and continues after what is there:
 *    a published event is never written again, subscribers may have seen it. A seq found taken while
 *    appending (another attempt still running) fails the attempt with EVENT_CONFLICT; the retry adopts.
 *    After a step failed for good the workflow adopts too, so its state and the stream agree.
 * 4. A gap is repaired. An append past the stream's end means Redis lost data: the step fails with
 *    EVENT_GAP (not retried) carrying the stream's last seq; the workflow publishes its own events after
 *    that seq again and repeats the step.
 *
 * This file is workflow-safe (no I/O); `step-writer.ts` is the activity side, `job-ledger.ts` the
 * workflow side, `event-activities.ts` the workflow's own publish/read.
 */

/** An append found the stream shorter than its seq (Redis lost data): the workflow republishes. */
export const EVENT_GAP = 'EventGap';
/** An append found its seq taken by another attempt of the same step: the retry adopts it. */
export const EVENT_CONFLICT = 'EventConflict';

/** The part of a step's input that says where its events go (rule 1). */
export interface EventRange {
  /** seq of the first event the step may append. */
  firstSeq: number;
  /** Events the workflow made and applied but has not published: the step appends them first, as given. */
  unpublished?: JobEvent[];
}

/** What EVENT_GAP carries. */
interface EventGapDetails {
  lastSeq: number;
}

export function eventGapFailure(message: string, lastSeq: number): ApplicationFailure {
  const details: EventGapDetails = { lastSeq };
  return ApplicationFailure.create({ type: EVENT_GAP, message, nonRetryable: true, details: [details] });
}

/** The stream's last seq when `error` is an EVENT_GAP failure (wrapped by a task-queue activity or not). */
export function eventGapOf(error: unknown): number | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || cause.type !== EVENT_GAP) return undefined;
  const lastSeq = (cause.details?.[0] as Partial<EventGapDetails> | undefined)?.lastSeq;
  return typeof lastSeq === 'number' ? lastSeq : undefined;
}
