import type {
  BlobRef,
  JobState,
  JobTask,
  ReferenceCheckMode,
  ReferenceProblem,
  WebhookEvent,
} from '@photomaker/schema';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { JobAdmission } from './admission-contract.ts';

// Workflow-safe: this entry point is bundled into workflow code, so it imports nothing with I/O.

export const TASK_QUEUE = 'photomaker';
export const WORKFLOW_TYPE = 'photoMakerJob';

const WORKFLOW_ID_PREFIX = 'photomaker-';

/** Readable in the Temporal UI, and idempotent: one job id can only ever start one workflow. */
export function workflowIdForJob(jobId: string): string {
  return `${WORKFLOW_ID_PREFIX}${jobId}`;
}

export function jobIdFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith(WORKFLOW_ID_PREFIX) ? workflowId.slice(WORKFLOW_ID_PREFIX.length) : undefined;
}

/** Everything a job needs, by reference: images are BlobRefs/Runware UUIDs, never bytes (claim check). */
export interface PhotoMakerJobInput {
  jobId: string;
  tenant: string;
  /** Validated, defaults applied, `rwre` rule applied; inputImages are references. */
  task: JobTask;
  /** Fixed for the life of the job: every (re)submission to Runware reuses it, so nothing is paid twice. */
  runwareTaskUUID: string;
  /** ISO-8601: when the API accepted the job. */
  createdAt: string;
  /**
   * ISO-8601: the job's deadline (the client's `cancelAfter`, resolved by the api). Past it the job ends
   * CANCELLED with reason DEADLINE_REASON (@photomaker/schema/job). Absent: no deadline.
   */
  cancelAt?: string;
  /** The id of the API key that submitted it (a sha256 prefix, never the key): usage per key. */
  apiKeyId?: string;
  /** The job this one retries (retryJob). */
  retryOf?: string;
  /** Which events webhookURL is sent; absent: DEFAULT_WEBHOOK_EVENTS (@photomaker/schema/job). */
  webhookEvents?: WebhookEvent[];
  requestId?: string;
  idempotencyKey?: string;
  /**
   * Present: the job waits for a slot from the admission workflow (admission-contract.ts) before any
   * Runware work, and gives it back when it ends. Absent (no limit applies, older starts): runs at once.
   */
  admission?: JobAdmission;
  /**
   * STRICT | WARN: the reference photos are checked on the vision task queue before anything is sent to
   * Runware (issue #17). Absent (older starts) or OFF: no check.
   */
  referenceCheck?: ReferenceCheckMode;
  /** In [0, 1]: images whose likeness score is below it are marked (and every image is scored). */
  minLikeness?: number;
  /**
   * Up to this many extra images (new image indexes, seed + index) while fewer than numberResults images
   * reach minLikeness; the API counted them against the tenant's limits at submission.
   */
  regenerateBelow?: number;
  /** The OpenTelemetry trace the job was submitted in (32 hex digits), when tracing recorded it. */
  traceId?: string;
}

/**
 * One stored reference photo checked on its own (uploadReferenceImage's `check`): a short workflow on
 * the job queue whose one activity runs on the vision queue. Only the blob reference goes in.
 */
export const REFERENCE_IMAGE_CHECK_WORKFLOW = 'checkReferenceImage';

export interface ReferenceImageCheckInput {
  blob: BlobRef;
}

/** The verdict on one photo: small numbers only (no embedding, no pixels). */
export interface ReferenceImageCheck {
  ok: boolean;
  reason?: ReferenceProblem;
  /** The (largest) face, in the photo's pixels. */
  faceBox?: { x: number; y: number; width: number; height: number };
  metrics: { eyeDistancePx: number; blur: number; yawDegrees: number; faceCount: number };
}

/** The full current job state: the source of truth for snapshots and the terminal state. */
export const jobStateQuery = defineQuery<JobState>('jobState');

/** Typed search attributes operators filter on in the Temporal UI (values never pass the codec: no PII). */
export const SEARCH_ATTRIBUTES = {
  tenant: defineSearchAttributeKey('PhotoMakerTenant', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('PhotoMakerStatus', SearchAttributeType.KEYWORD),
  style: defineSearchAttributeKey('PhotoMakerStyle', SearchAttributeType.KEYWORD),
  model: defineSearchAttributeKey('PhotoMakerModel', SearchAttributeType.KEYWORD),
} as const;

/** For `temporal server start-dev --search-attribute NAME=TYPE` (and `operator search-attribute create`). */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword'> = Object.fromEntries(
  Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, 'Keyword']),
);
