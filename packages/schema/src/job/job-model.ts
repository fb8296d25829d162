// Zod-free on purpose (see ./index.ts): the job's statuses and stages as plain constants.

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** A job's priority among its tenant's queued jobs (@photomaker/temporal's JOB_PRIORITIES, the same values). */
export const JOB_PRIORITY_LEVELS = ['HIGH', 'NORMAL', 'LOW'] as const;
export type JobPriorityLevel = (typeof JOB_PRIORITY_LEVELS)[number];

/**
 * How a job's reference photos are checked before anything is sent to Runware (issue #17): STRICT refuses
 * the job on a failed check, WARN runs it and records the warnings on the job, OFF skips the check.
 */
export const REFERENCE_CHECK_MODES = ['STRICT', 'WARN', 'OFF'] as const;
export type ReferenceCheckMode = (typeof REFERENCE_CHECK_MODES)[number];

/** Why a reference photo is not usable (@photomaker/likeness decides). */
export const REFERENCE_PROBLEMS = [
  'noFace',
  'multipleFaces',
  'faceTooSmall',
  'tooBlurry',
  'profileFace',
] as const;
export type ReferenceProblem = (typeof REFERENCE_PROBLEMS)[number];

export const JOB_STAGES = [
  'queued',
  'references_checked',
  'uploading_references',
  'submitted',
  'image_ready',
  'images_scored',
  'delivering',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type JobStage = (typeof JOB_STAGES)[number];

export function statusForStage(stage: JobStage): JobStatus {
  switch (stage) {
    case 'queued':
      return 'QUEUED';
    case 'succeeded':
      return 'SUCCEEDED';
    case 'failed':
      return 'FAILED';
    case 'cancelled':
      return 'CANCELLED';
    default:
      return 'RUNNING';
  }
}

/**
 * What a job's webhookURL is told (Replicate's webhook_events_filter): STARTED once it runs, IMAGE per
 * image (Runware's body), COMPLETED when it succeeded, FAILED when it failed, was cancelled or timed out.
 */
export const WEBHOOK_EVENTS = ['STARTED', 'IMAGE', 'COMPLETED', 'FAILED'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
/** Without a choice: each image and the end. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEvent[] = ['IMAGE', 'COMPLETED', 'FAILED'];

export const isTerminalStage = (stage: JobStage) => TERMINAL_STATUSES.has(statusForStage(stage));
export const isTerminalStatus = (status: JobStatus) => TERMINAL_STATUSES.has(status);

// Any UUID version: job ids are random (v4) or derived from an idempotency key or a /v1 taskUUID (v5), so
// isUuidV4 (reference images) would refuse half of them.
const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A job id as a client sent it -> its canonical (lower-case) form, or undefined if it cannot be one. */
export function normalizeJobId(value: string): string | undefined {
  return JOB_ID_PATTERN.test(value) ? value.toLowerCase() : undefined;
}
