import { type JobEvent, type JobState, statusForStage, TERMINAL_STATUSES } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';

/** The state of a job the moment it is accepted (what generatePhotoMaker returns without a round trip). */
export function initialJobState(input: PhotoMakerJobInput): JobState {
  return {
    jobId: input.jobId,
    tenant: input.tenant,
    status: 'QUEUED',
    stage: 'queued',
    seq: 0,
    task: input.task,
    runwareTaskUUID: input.runwareTaskUUID,
    images: [],
    cost: null,
    error: null,
    createdAt: input.createdAt,
    startedAt: null,
    finishedAt: null,
    ...(input.requestId ? { requestId: input.requestId } : {}),
    timings: {},
  };
}

/**
 * Folds one progress event into a state. The workflow's own query is the source of truth; this is the
 * fallback when no worker answers queries (or the workflow ended abnormally), and it keeps a snapshot
 * consistent with events the API has already seen.
 */
export function applyJobEvent(state: JobState, event: JobEvent): JobState {
  if (event.seq <= state.seq) return state;
  const next: JobState = {
    ...state,
    seq: event.seq,
    stage: event.stage,
    status: statusForStage(event.stage),
  };
  if (event.stage !== 'queued' && next.startedAt === null) next.startedAt = event.at;
  switch (event.stage) {
    case 'submitted':
      next.runwareTaskUUID = event.data.runwareTaskUUID;
      break;
    case 'image_ready': {
      const images = state.images.filter((image) => image.index !== event.data.image.index);
      next.images = [...images, event.data.image].sort((a, b) => a.index - b.index);
      break;
    }
    case 'succeeded':
      next.cost = event.data.cost;
      next.finishedAt = event.at;
      break;
    case 'failed':
      next.error = event.data.error;
      next.finishedAt = event.at;
      break;
    case 'cancelled':
      next.finishedAt = event.at;
      break;
    default:
      break;
  }
  return next;
}

export const isTerminal = (state: Pick<JobState, 'status'>) => TERMINAL_STATUSES.has(state.status);
