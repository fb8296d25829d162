import { signBlobPath } from '@photomaker/blobstore';
import type { JobError, JobImage, JobStatus } from '@photomaker/schema';
import { stringifyRunwareJson } from '@photomaker/schema';
import { postSignedWebhook } from './deliver-webhook.ts';
import type { ActivityDeps } from './deps.ts';
import type { DeliveryResult } from './types.ts';

/** The job-level events (IMAGE is deliverWebhook's, one POST per image in Runware's shape). */
export type JobEventKind = 'STARTED' | 'COMPLETED' | 'FAILED';

export interface JobEventDelivery {
  jobId: string;
  tenant: string;
  url: string;
  event: JobEventKind;
  runwareTaskUUID: string;
  /** ISO-8601: when it happened (the job's start, or its end). */
  at: string;
  status: JobStatus;
  numberResults: number;
  /** COMPLETED and FAILED: the images the job holds (a failed job may hold some). */
  images?: JobImage[];
  cost?: number | null;
  error?: JobError | null;
  /** FAILED of a cancelled job: why (e.g. its deadline passed). */
  reason?: string;
  timedOut?: boolean;
}

const TYPES: Record<JobEventKind, string> = {
  STARTED: 'job.started',
  COMPLETED: 'job.completed',
  FAILED: 'job.failed',
};

/** `whe_<jobId>_<event>`: the same on every retry of the delivery, what receivers dedupe on. */
export const jobEventDeliveryId = (jobId: string, event: JobEventKind) =>
  `whe_${jobId}_${event.toLowerCase()}`;

/**
 * The Standard Webhooks payload `{type, timestamp, data}` (apps/api/README.md, "Webhook events"). No
 * prompt and no image bytes: images are signed links to this API, like the job's own image URLs.
 */
export function jobEventBody(deps: Pick<ActivityDeps, 'settings'>, input: JobEventDelivery): string {
  const { publicUrl, urlSecret, imageUrlTtlSeconds } = deps.settings;
  const images = input.images?.map((image) => ({
    index: image.index,
    imageUUID: image.imageUUID,
    imageURL: `${publicUrl}${signBlobPath(image.blob.sha256, image.blob.mediaType, { secret: urlSecret, ttlSeconds: imageUrlTtlSeconds })}`,
    seed: image.seed,
    ...(image.cost !== undefined ? { cost: image.cost } : {}),
    ...(image.nsfw !== undefined ? { NSFWContent: image.nsfw } : {}),
  }));
  const data = {
    jobId: input.jobId,
    status: input.status,
    runwareTaskUUID: input.runwareTaskUUID,
    numberResults: input.numberResults,
    ...(images ? { images } : {}),
    ...(input.cost !== undefined ? { cost: input.cost } : {}),
    ...(input.error !== undefined ? { error: input.error } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.timedOut !== undefined ? { timedOut: input.timedOut } : {}),
  };
  return stringifyRunwareJson({ type: TYPES[input.event], timestamp: input.at, data });
}

/** POSTs one job event to webhookURL, signed for the job's tenant; retried durably by the workflow. */
export function createDeliverJobEvent(deps: ActivityDeps) {
  return async function deliverJobEvent(input: JobEventDelivery): Promise<DeliveryResult> {
    const id = jobEventDeliveryId(input.jobId, input.event);
    return postSignedWebhook(deps, {
      url: input.url,
      tenant: input.tenant,
      id,
      body: jobEventBody(deps, input),
    });
  };
}
