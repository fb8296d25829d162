import type { JobEvent, JobImage, JobTask, OutputFormat, OutputType } from '@photomaker/schema';

// Activity inputs and results. Workflow code imports these as types only.

/** One Runware task of a job: the job's own taskUUID first; a fresh one per follow-up run. */
export interface RunwareRun {
  taskUUID: string;
  numberResults: number;
  /** Decimal string; result i gets seed + i. */
  seed?: string;
}

export interface CollectImagesInput {
  jobId: string;
  run: RunwareRun;
  /** Needed until Runware holds the run (references + submission); omitted afterwards. */
  task?: JobTask;
  /** Runware is known to hold the run: poll getResponse, never submit again. */
  accepted: boolean;
  /** The job's images so far: anything else getResponse reports is new. */
  knownImageUUIDs: string[];
  /** seq of the first event this call may append (the workflow owns the numbering). */
  nextSeq: number;
  /**
   * Events the workflow made and applied but has not published (the job's `queued`): appended first,
   * as given, so the job's first workflow task needs no local activity of its own.
   */
  prelude?: JobEvent[];
  /** Job-level index of the next new image. */
  nextIndex: number;
  /** numberResults of the job ("image i of n"). */
  total: number;
  image: { width: number; height: number; outputFormat: OutputFormat };
  /**
   * Nothing follows this run (no deliveries): once the job has every image, append its `succeeded`
   * event here too, so subscribers see the end without waiting for another workflow task.
   */
  completesJob?: { costSoFar: number | null; includeCost: boolean };
  /**
   * The task-queue activity takes over from the local step (`collectImagesLocally`) that failed: like a
   * retry, it adopts what that attempt already published from `nextSeq` on.
   */
  resume?: true;
}

/** A failed generation, as Runware reported it. */
export interface GenerationFailure {
  code: string;
  message: string;
  parameter?: string;
  /** A new task (new taskUUID) for the missing images may succeed. */
  retryable: boolean;
}

export interface CollectImagesResult {
  /** Events this call (or an earlier attempt of it) appended, in seq order. */
  events: JobEvent[];
  accepted: boolean;
  /** Every generation of the run has ended (success or failure). */
  done: boolean;
  failures: GenerationFailure[];
  /**
   * The local step did nothing: the task-queue activity must take this step (a Runware rate limit is
   * set, or the run needs polling, which a local activity can't do without heartbeats).
   */
  handedOver?: true;
}

/** Details of the ApplicationFailure an activity throws for a Runware error. */
export interface RunwareFailureDetails {
  code: string;
  message: string;
  parameter?: string;
  category: string;
  status?: number;
  /** Runware's Retry-After (workflows don't see the failure's nextRetryDelay). */
  retryAfterMs?: number;
}

export interface DeliveryInput {
  jobId: string;
  /** The job's Runware taskUUID, as the receiver knows it. */
  runwareTaskUUID: string;
  image: JobImage;
  url: string;
  outputType: OutputType;
}

export interface DeliveryResult {
  status: number;
  deliveryId: string;
  attempt: number;
}

export interface ReadEventsInput {
  jobId: string;
  afterSeq: number;
}
