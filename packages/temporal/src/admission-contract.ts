import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { TASK_QUEUE } from './contract.ts';

// Workflow-safe (bundled into workflow code). The contract between job workflows, the admission workflow
// and the API: a durable queue in Temporal, so a queued job survives a restart of any process.

/** One admission workflow per deployment (its id), holding every tenant's queue and running set. */
export const ADMISSION_WORKFLOW_ID = 'photomaker-admission';
export const ADMISSION_WORKFLOW_TYPE = 'photoMakerAdmission';

/**
 * The admission workflow of the jobs on `taskQueue`: ADMISSION_WORKFLOW_ID for the deployment's queue
 * (`photomaker`, what the API starts jobs on); a queue of its own (tests, a second deployment in one
 * namespace) gets its own admission workflow, so their limits never mix.
 */
export function admissionWorkflowId(taskQueue: string): string {
  return taskQueue === TASK_QUEUE ? ADMISSION_WORKFLOW_ID : `${ADMISSION_WORKFLOW_ID}-${taskQueue}`;
}

/** Runware tasks of one multi-image job in flight at once by default (WORKER_RUNWARE_TASKS_IN_FLIGHT_PER_JOB). */
export const DEFAULT_TASKS_IN_FLIGHT_PER_JOB = 4;

/**
 * A job's admission weight: the Runware tasks it may hold at once, one per image up to the per-job window.
 * The API asks for it; the worker never lets the job hold more (its window is capped at the weight).
 */
export function admissionWeight(
  numberResults: number,
  tasksInFlightPerJob: number = DEFAULT_TASKS_IN_FLIGHT_PER_JOB,
): number {
  const images = Number.isInteger(numberResults) && numberResults > 0 ? numberResults : 1;
  return Math.max(1, Math.min(images, tasksInFlightPerJob));
}

export const JOB_PRIORITIES = ['HIGH', 'NORMAL', 'LOW'] as const;
export type JobPriority = (typeof JOB_PRIORITIES)[number];

/** What the estimate of a job's service time is keyed by (moving averages per key). */
export interface ServiceKey {
  model: string;
  width: number;
  height: number;
  numberResults: number;
}

/** A job asks for a slot; the admission workflow answers with `slotGrantedSignal` to the job's workflow. */
export interface SlotRequest {
  jobId: string;
  tenant: string;
  priority: JobPriority;
  /** Runware tasks the job may hold at once: what it counts against the global in-flight budget. */
  weight: number;
  /** The tenant's limit when the job was accepted (latest request wins). Absent: no tenant limit. */
  maxRunningJobs?: number;
  /** The deployment's budget toward Runware when the job was accepted (latest request wins). */
  maxInFlight?: number;
  service: ServiceKey;
  /** ISO-8601, when the API accepted the job: order within one tenant and priority. */
  requestedAt: string;
}

/**
 * What a job's start input carries when it waits for a slot (PhotoMakerJobInput.admission): the request
 * minus what the input says already (jobId, tenant, the task's service key, createdAt).
 */
export interface JobAdmission {
  priority: JobPriority;
  weight: number;
  maxRunningJobs?: number;
  maxInFlight?: number;
}

export interface SlotRelease {
  jobId: string;
  /** How long the job held its slot, ms: feeds the service-time estimate. Absent when it never ran. */
  ranMs?: number;
}

export const requestSlotSignal = defineSignal<[SlotRequest]>('requestSlot');

/**
 * The admission workflow's answer to `requestSlotUpdate`: `grantedAt` (ISO-8601) when the job holds a
 * slot now; absent when it is queued (its grant comes later as `slotGrantedSignal`, as for the signal).
 */
export interface SlotAnswer {
  grantedAt?: string;
}

/**
 * The same request as an update (issue #18): a job whose slot is free at once gets it in the answer, with
 * no grant signal and no workflow task of its own for it. Durable as the signal: the admission workflow
 * writes the grant in its history before it answers. Update id: `slotUpdateId(jobId)` (a retried request
 * is answered from that record, or from the queue's running set after a continueAsNew).
 */
export const requestSlotUpdate = defineUpdate<SlotAnswer, [SlotRequest]>('requestSlotNow');
export const slotUpdateId = (jobId: string) => `slot-${jobId}`;
export const releaseSlotSignal = defineSignal<[SlotRelease]>('releaseSlot');
/** Sent by the admission workflow to the job's workflow (workflowIdForJob). */
export const slotGrantedSignal = defineSignal<[{ grantedAt: string }]>('slotGranted');

export interface QueueStatus {
  jobId: string;
  state: 'queued' | 'running';
  /** 1-based place among the jobs that will start before it (queued only). */
  position?: number;
  /** ISO-8601 estimates from measured service times. */
  estimatedStartAt?: string;
  estimatedFinishAt?: string;
}

/** Statuses of the given jobs (unknown ids are left out). Bounded: at most 500 ids per query. */
export const queueStatusesQuery = defineQuery<QueueStatus[], [string[]]>('queueStatuses');
