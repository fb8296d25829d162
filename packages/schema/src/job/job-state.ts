import type { JobEvent, JobEventOf, JobState, JobTask } from './job.ts';
import {
  type JobPriorityLevel,
  type ReferenceCheckMode,
  statusForStage,
  type WebhookEvent,
} from './job-model.ts';

// Zod-free and pure (see ./index.ts): a job's state is the fold of its events, so the workflow's query,
// the event stream and a state the API rebuilds from the stream always agree.

/** What a job starts from (a subset of the workflow input, PhotoMakerJobInput). */
export interface JobStart {
  jobId: string;
  tenant: string;
  task: JobTask;
  runwareTaskUUID: string;
  createdAt: string;
  requestId?: string | undefined;
  cancelAt?: string | undefined;
  /** Present when the job waits for a slot in the admission queue (PhotoMakerJobInput.admission). */
  admission?: { priority: JobPriorityLevel } | undefined;
  traceId?: string | undefined;
  /** The job this one retries (retryJob): same task and references, new job id and taskUUIDs. */
  retryOf?: string | undefined;
  /** Which events its webhookURL is sent; absent: DEFAULT_WEBHOOK_EVENTS. */
  webhookEvents?: readonly WebhookEvent[] | undefined;
  /** STRICT | WARN when its references are checked (issue #17). */
  referenceCheck?: ReferenceCheckMode | undefined;
  minLikeness?: number | undefined;
  regenerateBelow?: number | undefined;
}

export function initialJobState(start: JobStart): JobState {
  return {
    jobId: start.jobId,
    tenant: start.tenant,
    status: 'QUEUED',
    stage: 'queued',
    seq: 0,
    task: start.task,
    runwareTaskUUID: start.runwareTaskUUID,
    images: [],
    cost: null,
    error: null,
    createdAt: start.createdAt,
    startedAt: null,
    finishedAt: null,
    ...(start.requestId ? { requestId: start.requestId } : {}),
    ...(start.cancelAt ? { cancelAt: start.cancelAt } : {}),
    ...(start.admission?.priority ? { priority: start.admission.priority } : {}),
    ...(start.traceId ? { traceId: start.traceId } : {}),
    ...(start.retryOf ? { retryOf: start.retryOf } : {}),
    ...(start.webhookEvents ? { webhookEvents: [...start.webhookEvents] } : {}),
    ...(start.referenceCheck ? { referenceCheck: start.referenceCheck } : {}),
    ...(start.minLikeness !== undefined ? { minLikeness: start.minLikeness } : {}),
    ...(start.regenerateBelow ? { regenerateBelow: start.regenerateBelow } : {}),
    timings: {},
  };
}

export class JobEventOrderError extends Error {
  constructor(state: JobState, event: JobEvent) {
    super(`event seq ${event.seq} (${event.stage}) does not follow seq ${state.seq} of job ${state.jobId}`);
    this.name = 'JobEventOrderError';
  }
}

export interface ApplyOptions {
  /**
   * Accept an event past state.seq + 1. The workflow never does (a gap is a bug); the API does when it
   * rebuilds a state from a stream whose oldest entries were trimmed or expired.
   */
  allowGaps?: boolean;
}

const ms = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from));

function sumCost(state: JobState): number | null {
  if (!state.task.includeCost) return null;
  let total = 0;
  for (const image of state.images) total += image.cost ?? 0;
  // Keep sums of per-image USD costs free of float noise (0.1 + 0.2).
  return Math.round(total * 1e9) / 1e9;
}

function onSubmitted(
  state: JobState,
  next: JobState,
  event: JobEventOf<'submitted'>,
  startedAt: string,
): void {
  next.runwareTaskUUID = event.data.runwareTaskUUID;
  if (state.stage === 'uploading_references' && next.timings.uploadMs === undefined) {
    next.timings.uploadMs = ms(startedAt, event.at);
  }
}

function onImageReady(
  state: JobState,
  next: JobState,
  event: JobEventOf<'image_ready'>,
  startedAt: string,
): void {
  const image = event.data.image;
  next.images = [...state.images.filter((i) => i.index !== image.index), image].sort(
    (a, b) => a.index - b.index,
  );
  next.cost = sumCost(next);
  const submittedAt = Date.parse(startedAt) + (next.timings.uploadMs ?? 0);
  next.timings.generateMs = Math.max(0, Date.parse(event.at) - submittedAt);
}

function onTerminal(
  state: JobState,
  next: JobState,
  event: JobEventOf<'succeeded' | 'failed' | 'cancelled'>,
): void {
  const timings = next.timings;
  next.finishedAt = event.at;
  timings.totalMs = ms(state.createdAt, event.at);
  if (state.stage === 'delivering' && next.startedAt !== null) {
    const lastImageAt = Date.parse(next.startedAt) + (timings.uploadMs ?? 0) + (timings.generateMs ?? 0);
    timings.deliverMs = Math.max(0, Date.parse(event.at) - lastImageAt);
  }
  if (event.stage === 'succeeded') next.cost = event.data.cost;
  if (event.stage === 'failed') next.error = event.data.error;
}

function applyScores(images: JobState['images'], scores: JobEventOf<'images_scored'>['data']['scores']) {
  const byIndex = new Map(scores.map((score) => [score.index, score]));
  return images.map((image) => {
    const score = byIndex.get(image.index);
    if (!score) return image;
    const { index: _index, ...fields } = score;
    return { ...image, ...fields };
  });
}

/**
 * Folds one event into the state. Events at or below `state.seq` are ignored (already applied). Timings:
 * queuedMs until the first running stage, uploadMs of the references, generateMs from submission to the
 * last image, deliverMs from the last image to the end of delivery, totalMs overall.
 */
export function applyJobEvent(state: JobState, event: JobEvent, options: ApplyOptions = {}): JobState {
  if (event.seq <= state.seq) return state;
  if (event.seq !== state.seq + 1 && !options.allowGaps) throw new JobEventOrderError(state, event);
  const next: JobState = {
    ...state,
    seq: event.seq,
    stage: event.stage,
    status: statusForStage(event.stage),
    timings: { ...state.timings },
  };
  if (event.stage !== 'queued' && next.startedAt === null) {
    next.startedAt = event.at;
    next.timings.queuedMs = ms(state.createdAt, event.at);
  }
  const startedAt = next.startedAt ?? event.at;
  switch (event.stage) {
    case 'submitted':
      onSubmitted(state, next, event, startedAt);
      break;
    case 'image_ready':
      onImageReady(state, next, event, startedAt);
      break;
    case 'references_checked':
      next.referenceWarnings = event.data.warnings;
      break;
    case 'images_scored':
      next.images = applyScores(state.images, event.data.scores);
      break;
    case 'succeeded':
    case 'failed':
    case 'cancelled':
      onTerminal(state, next, event);
      break;
    default:
      break;
  }
  return next;
}

export function applyJobEvents(
  state: JobState,
  events: readonly JobEvent[],
  options: ApplyOptions = {},
): JobState {
  let next = state;
  for (const event of events) next = applyJobEvent(next, event, options);
  return next;
}

/** How Temporal reports a closed workflow execution (`WorkflowExecutionStatusName`, minus the open ones). */
export type ClosedWorkflowStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'TERMINATED'
  | 'CONTINUED_AS_NEW'
  | 'TIMED_OUT';

const CLOSED_MESSAGES: Partial<Record<ClosedWorkflowStatus, string>> = {
  TERMINATED: 'The job was terminated by an operator.',
  TIMED_OUT: 'The job exceeded its time limit.',
};

/**
 * The state folded from a job's events, corrected by how its workflow closed: a workflow that was
 * cancelled, failed, terminated or timed out may have ended without writing its terminal event, and the
 * workflow's end is the truth. An event-written terminal state is kept as it is; otherwise the job takes
 * the matching terminal status, `closedAt` as its end, and (for failures) an error a client can show.
 */
export function closedWorkflowState(
  state: JobState,
  workflowStatus: ClosedWorkflowStatus | string,
  closedAt: string,
): JobState {
  const finishedAt = state.finishedAt ?? closedAt;
  if (workflowStatus === 'CANCELLED') {
    return state.status === 'CANCELLED'
      ? state
      : { ...state, status: 'CANCELLED', stage: 'cancelled', finishedAt };
  }
  if (!['FAILED', 'TERMINATED', 'TIMED_OUT'].includes(workflowStatus) || state.status === 'FAILED')
    return state;
  return {
    ...state,
    status: 'FAILED',
    stage: 'failed',
    finishedAt,
    error: state.error ?? {
      code: workflowStatus === 'TIMED_OUT' ? 'timeout' : 'internalServerError',
      message: CLOSED_MESSAGES[workflowStatus as ClosedWorkflowStatus] ?? 'The job failed unexpectedly.',
      retryable: false,
    },
  };
}
