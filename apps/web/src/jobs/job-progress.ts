import type { Job, JobEvent, JobImage } from '../api/operations.ts';

type Stage = Job['stage'];
type ErrorInfo = NonNullable<Job['error']>;

/** What the live job view shows, folded from the snapshot and the events after it. */
export interface JobProgress {
  job?: Job;
  /** The last seq applied: the subscription resumes after it. */
  seq: number;
  stage?: Stage;
  status?: Job['status'];
  images: JobImage[];
  total: number;
  cost: number | null;
  error: ErrorInfo | null;
  /** Why it was cancelled (JobCancelled.reason), when the event was seen. */
  cancelReason?: string;
  /** When each stage was first seen (ISO). */
  seenAt: Partial<Record<Stage, string>>;
  delivering: boolean;
  /** What the reference check found (null: it did not run). */
  referenceWarnings: NonNullable<Job['referenceWarnings']> | null;
  /** While queued: its place in the admission queue and the estimates (snapshot, then live JobQueued). */
  queue?: QueuePlace;
}

export interface QueuePlace {
  position: number | null;
  estimatedStartAt: string | null;
  estimatedFinishAt: string | null;
}

export const EMPTY_PROGRESS: JobProgress = {
  seq: 0,
  images: [],
  total: 0,
  cost: null,
  error: null,
  referenceWarnings: null,
  seenAt: {},
  delivering: false,
};

export const TERMINAL_STAGES: ReadonlySet<Stage> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

function withImage(images: JobImage[], image: JobImage): JobImage[] {
  if (images.some((i) => i.index === image.index)) return images;
  return [...images, image].sort((a, b) => a.index - b.index);
}

type Score = Extract<JobEvent, { __typename: 'JobImagesScored' }>['scores'][number];

function withScores(images: JobImage[], scores: readonly Score[]): JobImage[] {
  const byIndex = new Map(scores.map((score) => [score.index, score]));
  return images.map((image) => {
    const score = byIndex.get(image.index);
    if (!score) return image;
    const { likeness, faceFound, belowMinLikeness } = score;
    return { ...image, likeness, faceFound, belowMinLikeness };
  });
}

/** Best likeness first once images are scored (unscored ones last, by index); else by index. */
export function byLikeness(images: readonly JobImage[]): JobImage[] {
  const key = (image: JobImage) => image.likeness ?? -1;
  return [...images].sort((a, b) => key(b) - key(a) || a.index - b.index);
}

function queueOfJob(job: Job): QueuePlace | undefined {
  if (job.status !== 'QUEUED') return undefined;
  const { queuePosition, estimatedStartAt, estimatedFinishAt } = job;
  if (queuePosition === null && estimatedStartAt === null && estimatedFinishAt === null) return undefined;
  return { position: queuePosition, estimatedStartAt, estimatedFinishAt };
}

/** Starts from a job we already have (the mutation's answer, a history row) before the snapshot arrives. */
export function progressFromJob(job: Job): JobProgress {
  const queue = queueOfJob(job);
  return {
    ...(queue ? { queue } : {}),
    job,
    seq: job.seq,
    stage: job.stage,
    status: job.status,
    images: [...job.images].sort((a, b) => a.index - b.index),
    total: job.task.numberResults,
    cost: job.cost ?? null,
    error: job.error ?? null,
    referenceWarnings: job.referenceWarnings ?? null,
    seenAt: { QUEUED: job.createdAt, ...(job.finishedAt ? { [job.stage]: job.finishedAt } : {}) },
    delivering: false,
  };
}

type Snapshot = Extract<JobEvent, { __typename: 'JobSnapshot' }>;
type Logged = Exclude<JobEvent, Snapshot>;

/** A snapshot replaces the view unless it is older than what we know; images and the reason stay. */
function applySnapshot(progress: JobProgress, event: Snapshot): JobProgress {
  if (event.seq < progress.seq) return progress;
  const fromJob = progressFromJob(event.job);
  return {
    ...fromJob,
    ...(progress.cancelReason ? { cancelReason: progress.cancelReason } : {}),
    seq: event.seq,
    images: progress.images.reduce(withImage, fromJob.images),
    seenAt: {
      ...progress.seenAt,
      ...fromJob.seenAt,
      [event.stage]: progress.seenAt[event.stage] ?? event.at,
    },
  };
}

/**
 * A live queue update is not logged: its seq repeats the last one. It only moves the queue place, and only
 * while the job still waits.
 */
function applyQueueUpdate(progress: JobProgress, event: Extract<Logged, { __typename: 'JobQueued' }>) {
  if (progress.status !== undefined && progress.status !== 'QUEUED') return progress;
  const { position, estimatedStartAt, estimatedFinishAt } = event;
  return { ...progress, queue: { position, estimatedStartAt, estimatedFinishAt } };
}

/**
 * Applies one item of `jobEvents`. Idempotent by seq: after a reconnect the server may repeat events we
 * already have, and a snapshot older than what we know must not roll the view back.
 */
export function applyJobEvent(progress: JobProgress, event: JobEvent): JobProgress {
  if (event.__typename === 'JobSnapshot') return applySnapshot(progress, event);
  if (event.__typename === 'JobQueued' && !event.durable) return applyQueueUpdate(progress, event);
  if (event.seq <= progress.seq) return progress;
  const { queue, ...rest } = progress;
  const next: JobProgress = {
    ...rest,
    // Past `queued` the job holds a slot: its queue place is history.
    ...(queue && event.status === 'QUEUED' ? { queue } : {}),
    seq: event.seq,
    stage: event.stage,
    status: event.status,
    seenAt: { ...progress.seenAt, [event.stage]: progress.seenAt[event.stage] ?? event.at },
  };
  return withEventData(next, progress, event);
}

/** What each logged event adds beyond its stage. */
function withEventData(next: JobProgress, progress: JobProgress, event: Logged): JobProgress {
  switch (event.__typename) {
    case 'JobQueued':
    case 'JobSubmitted':
      return { ...next, total: event.numberResults };
    case 'JobImageReady':
      return { ...next, total: event.total, images: withImage(progress.images, event.image) };
    case 'JobReferencesChecked':
      return { ...next, referenceWarnings: event.warnings };
    case 'JobImagesScored':
      return { ...next, images: withScores(progress.images, event.scores) };
    case 'JobDelivering':
      return { ...next, delivering: event.webhook || event.uploadEndpoint };
    case 'JobSucceeded':
      return { ...next, cost: event.cost ?? progress.cost };
    case 'JobFailed':
      return { ...next, error: event.error };
    case 'JobCancelled':
      return event.reason ? { ...next, cancelReason: event.reason } : next;
    default:
      return next;
  }
}

type StepState = 'done' | 'active' | 'pending' | 'failed' | 'skipped';

export interface TimelineStep {
  id: string;
  label: string;
  detail?: string;
  state: StepState;
  at?: string;
}

const ORDER: Stage[] = [
  'QUEUED',
  'REFERENCES_CHECKED',
  'UPLOADING_REFERENCES',
  'SUBMITTED',
  'IMAGE_READY',
  'IMAGES_SCORED',
  'DELIVERING',
  'SUCCEEDED',
];

/** A step's state from where the job got to (`reached`, an ORDER index) and whether it stopped there. */
function stepState(index: number, reached: number, stage: Stage, terminalFailure: boolean): StepState {
  if (stage === 'SUCCEEDED' || index < reached) return 'done';
  if (index === reached) return terminalFailure ? 'failed' : 'active';
  return terminalFailure ? 'skipped' : 'pending';
}

function stepLabels(ready: number, total: number): Record<string, { label: string; detail?: string }> {
  return {
    QUEUED: { label: 'Queued', detail: 'accepted, waiting for a worker' },
    UPLOADING_REFERENCES: { label: 'Reference photos', detail: 'sent to Runware once per photo' },
    REFERENCES_CHECKED: { label: 'Photos checked', detail: 'one clear face, one person' },
    SUBMITTED: { label: 'Submitted', detail: 'the task is with Runware' },
    IMAGE_READY: total ? { label: 'Images', detail: `${ready} of ${total} ready` } : { label: 'Images' },
    IMAGES_SCORED: { label: 'Likeness', detail: 'each image compared with the photos' },
    DELIVERING: { label: 'Delivering', detail: 'webhook / upload endpoint' },
    SUCCEEDED: { label: 'Done' },
  };
}

/** The last shown step of a failed/cancelled job becomes the stop itself. */
function markStopped(shown: TimelineStep[], stage: Stage, progress: JobProgress): TimelineStep[] {
  const last = shown[shown.length - 1];
  if (!last) return shown;
  const at = progress.seenAt[stage];
  return [
    ...shown.slice(0, -1),
    {
      ...last,
      label: stage === 'FAILED' ? 'Failed' : 'Cancelled',
      state: 'failed',
      ...(at ? { at } : {}),
    },
  ];
}

/** The stage timeline: where the job is, where it has been, and where it stopped. */
export function timeline(progress: JobProgress): TimelineStep[] {
  const stage = progress.stage ?? 'QUEUED';
  const terminalFailure = stage === 'FAILED' || stage === 'CANCELLED';
  // Where a failed/cancelled job stopped: the furthest stage it was seen in.
  const reached = terminalFailure
    ? Math.max(0, ...ORDER.map((s, i) => (progress.seenAt[s] ? i : -1)))
    : ORDER.indexOf(stage);
  const ready = progress.images.length;
  const total = progress.total || progress.job?.task.numberResults || 0;
  const labels = stepLabels(ready, total);
  const allReady = total > 0 && ready >= total;
  const steps = ORDER.map((id, index): TimelineStep => {
    const state = stepState(index, reached, stage, terminalFailure);
    const info = labels[id] ?? { label: id };
    const at = progress.seenAt[id];
    return {
      id,
      label: info.label,
      state: id === 'IMAGE_READY' && state === 'active' && allReady ? 'done' : state,
      ...(info.detail ? { detail: info.detail } : {}),
      ...(at ? { at } : {}),
    };
  });
  // Delivery only happens with a webhook or upload endpoint; otherwise it is not a step at all.
  const task = progress.job?.task;
  const delivers = progress.delivering || Boolean(task?.webhookURL || task?.uploadEndpoint);
  // The face steps exist only for jobs with a reference check.
  const checked = progress.referenceWarnings !== null || Boolean(progress.seenAt.REFERENCES_CHECKED);
  const shown = steps.filter((s) => {
    if (s.id === 'DELIVERING') return delivers || s.state === 'active';
    if (s.id === 'REFERENCES_CHECKED' || s.id === 'IMAGES_SCORED') return checked || s.state === 'active';
    return true;
  });
  return terminalFailure ? markStopped(shown, stage, progress) : shown;
}
