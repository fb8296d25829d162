import type { JobEvent, JobImage, JobTask, OutputFormat, OutputType } from '@photomaker/schema';
import type { EventRange } from '../events/protocol.ts';

// Activity inputs and results. Workflow code imports these as types only.

/** One Runware task of a job: the job's own taskUUID first; a fresh one per follow-up run. */
export interface RunwareRun {
  taskUUID: string;
  numberResults: number;
  /** Decimal string; result i gets seed + i. */
  seed?: string;
  /**
   * One Runware task per image (numberResults 1, seed + i, taskUUIDs derived from `taskUUID`), a few in
   * flight at a time, so a cancel stops the images not yet sent. Absent in inputs of older workflows.
   */
  perImage?: true;
  /**
   * A per-image run of the job's extra images (regenerateBelow): only indexes from here on are its own
   * (the job's earlier images are not looked for). Absent: from 0.
   */
  from?: number;
}

/** What a Runware step works on, besides its event range. */
export interface RunwareStepSpec {
  jobId: string;
  run: RunwareRun;
  /** Needed until Runware holds the run (references + submission); omitted afterwards. */
  task?: JobTask;
  /** Runware is known to hold the run: poll getResponse, never submit again. */
  accepted: boolean;
  /** The job's images so far: anything else getResponse reports is new. */
  knownImageUUIDs: string[];
  /** Job-level index of the next new image. */
  nextIndex: number;
  /** numberResults of the job ("image i of n"). */
  total: number;
  image: { width: number; height: number; outputFormat: OutputFormat };
  /**
   * Nothing follows this run (no deliveries): once the job has every image, the step appends the job's
   * `succeeded` too (protocol rule 2), so subscribers see the end without another workflow task.
   */
  endsJob?: { costSoFar: number | null; includeCost: boolean };
  /** The job's deadline (ISO-8601): a per-image run sends nothing past it, even before Temporal says so. */
  cancelAt?: string;
  /**
   * The job's admission weight (admissionWeight): the Runware tasks it was granted to hold at once. A
   * per-image run keeps its window within it, so the global in-flight budget counts what runs.
   */
  maxTasksInFlight?: number;
}

/** The task-queue Runware step (`collectImages`): submission, then getResponse until new images. */
export type CollectImagesInput = RunwareStepSpec & EventRange;

/**
 * The same input as the previous workflow version scheduled it (still in the histories of running jobs,
 * and retried by this worker): the range under other names, and a flag this version no longer needs
 * (every attempt adopts).
 */
export type PreviousCollectImagesInput = Omit<RunwareStepSpec, 'endsJob'> & {
  nextSeq: number;
  prelude?: JobEvent[];
  completesJob?: RunwareStepSpec['endsJob'];
  resume?: true;
};

/**
 * The local Runware step of a single-image job without deliveries (`collectImagesLocally`): the job's
 * first and last step, one sync request inside the workflow task.
 */
export interface SingleImageStepInput extends EventRange {
  jobId: string;
  /** The job's own Runware taskUUID. */
  taskUUID: string;
  task: JobTask;
  /** Who the job's usage line is for; with it the step writes that line when it ends the job. */
  usage?: { tenant: string; keyId: string };
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
   * set, or sync delivery is off). Its range goes to that step unused.
   */
  handedOver?: true;
  /**
   * The local step wrote the job's `succeeded` and its usage line (the job's last step): the workflow
   * ends without a usage step of its own. Absent in results of older workers: the workflow writes it.
   */
  usageRecorded?: true;
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
  /** Whose secret signs the delivery; absent only in deliveries scheduled by older workers. */
  tenant?: string;
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
