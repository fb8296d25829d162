// Zod-free on purpose (see ./index.ts): the job's statuses and stages as plain constants.

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export const JOB_STAGES = [
  'queued',
  'uploading_references',
  'submitted',
  'image_ready',
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

export const isTerminalStage = (stage: JobStage) => TERMINAL_STATUSES.has(statusForStage(stage));
export const isTerminalStatus = (status: JobStatus) => TERMINAL_STATUSES.has(status);
