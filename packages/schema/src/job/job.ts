import { z } from 'zod';
import { OUTPUT_FORMATS } from '../photomaker/limits.ts';
import { photoMakerParamsSchema } from '../photomaker/request.ts';
import {
  JOB_PRIORITY_LEVELS,
  JOB_STAGES,
  JOB_STATUSES,
  type JobStage,
  REFERENCE_CHECK_MODES,
  REFERENCE_PROBLEMS,
  WEBHOOK_EVENTS,
} from './job-model.ts';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** Claim check: where image bytes live in the content-addressed blob store. Never the bytes. */
export const blobRefSchema = z.object({
  sha256: sha256Hex,
  mediaType: z.string().min(1),
  size: z.int().nonnegative(),
});
export type BlobRef = z.infer<typeof blobRefSchema>;

/** A reference image of a job: bytes we hold (blob), or an image already on Runware (its UUID). */
export const referenceImageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('blob'), blob: blobRefSchema }),
  z.object({ kind: z.literal('runware'), imageUUID: z.uuid() }),
]);
export type ReferenceImage = z.infer<typeof referenceImageSchema>;

/** The normalized task of a job: validated, defaults applied, `rwre` rule applied, images by reference. */
export const jobTaskSchema = photoMakerParamsSchema
  .omit({ inputImages: true })
  .extend({ inputImages: z.array(referenceImageSchema).min(1).max(4) });
export type JobTask = z.output<typeof jobTaskSchema>;

export const jobImageSchema = z.object({
  /** 0-based position in the batch; "image i of n" shows index + 1. */
  index: z.int().nonnegative(),
  imageUUID: z.string(),
  /** Decimal string: seeds exceed 2^53. */
  seed: z.string().regex(/^[0-9]+$/),
  width: z.int().positive(),
  height: z.int().positive(),
  outputFormat: z.enum(OUTPUT_FORMATS),
  blob: blobRefSchema,
  cost: z.number().nonnegative().optional(),
  nsfw: z.boolean().optional(),
  /**
   * How much the face in the image looks like the reference photos (issue #17): 1 identical, 0.5 the
   * same-person threshold, 0 far off or no face. Absent: not scored (referenceCheck OFF).
   */
  likeness: z.number().min(0).max(1).optional(),
  /** Whether the image shows a face at all (absent: not scored). */
  faceFound: z.boolean().optional(),
  /** Its likeness is below the job's `minLikeness` (absent: the job set none, or not scored). */
  belowMinLikeness: z.boolean().optional(),
});
export type JobImage = z.infer<typeof jobImageSchema>;

export const jobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  parameter: z.string().optional(),
  retryable: z.boolean(),
});
export type JobError = z.infer<typeof jobErrorSchema>;

/** `referenceCheck` of a job (GraphQL input, /v1 extra field, tenant default). */
export const referenceCheckSchema = z.enum(REFERENCE_CHECK_MODES, {
  error: "Invalid value for 'referenceCheck': it must be STRICT, WARN or OFF.",
});

/**
 * A failed reference check: `invalidReferenceImage` (one photo, with its reason) or `referencesDiffer`
 * (the photo that is not the same person as the others). A STRICT job fails with it as its error; a WARN
 * job runs and keeps it in `referenceWarnings`.
 */
export const referenceWarningSchema = z.object({
  code: z.enum(['invalidReferenceImage', 'referencesDiffer']),
  /** `inputImages[i]`. */
  parameter: z.string(),
  reason: z.enum(REFERENCE_PROBLEMS).optional(),
  message: z.string(),
});
export type ReferenceWarning = z.infer<typeof referenceWarningSchema>;

/** The likeness score of one image of the job (by its index). */
export const imageScoreSchema = z.object({
  index: z.int().nonnegative(),
  likeness: z.number().min(0).max(1),
  faceFound: z.boolean(),
  belowMinLikeness: z.boolean().optional(),
});

/** `minLikeness` of a job (GraphQL input, /v1 extra field): images scored below it are marked. */
export const minLikenessSchema = z
  .number({
    error: "Invalid value for 'minLikeness': it must be a number from 0 to 1.",
  })
  .min(0, { error: "Invalid value for 'minLikeness': it must be a number from 0 to 1." })
  .max(1, {
    error: "Invalid value for 'minLikeness': it must be a number from 0 to 1.",
  });

const REGENERATE_BELOW_ERROR =
  "Invalid value for 'regenerateBelow': it must be an integer from 0 to numberResults, and needs minLikeness.";

/**
 * `regenerateBelow` of a job (GraphQL input, /v1 extra field): up to this many extra images, with new
 * seeds, while fewer than numberResults images reach minLikeness. Checked against numberResults and
 * minLikeness by regenerateBelowProblem.
 */
export const regenerateBelowSchema = z
  .int({ error: REGENERATE_BELOW_ERROR })
  .min(0, { error: REGENERATE_BELOW_ERROR });

/** Why a regenerateBelow does not fit its job (undefined: it does). */
export function regenerateBelowProblem(
  regenerateBelow: number,
  job: { numberResults: number; minLikeness?: number | undefined },
): string | undefined {
  if (regenerateBelow > job.numberResults || (regenerateBelow > 0 && job.minLikeness === undefined))
    return REGENERATE_BELOW_ERROR;
  return undefined;
}
export type ImageScore = z.infer<typeof imageScoreSchema>;

const eventBase = {
  jobId: z.string().min(1),
  /** Per-job, starting at 1, gap-free: a subscriber resumes with the last seq it saw. */
  seq: z.int().positive(),
  /** ISO-8601 timestamp. */
  at: z.iso.datetime(),
};

export const jobEventSchema = z.discriminatedUnion('stage', [
  z.object({
    ...eventBase,
    stage: z.literal('queued'),
    data: z.object({ numberResults: z.int().positive() }),
  }),
  z.object({
    ...eventBase,
    stage: z.literal('references_checked'),
    data: z.object({ warnings: z.array(referenceWarningSchema) }),
  }),
  z.object({
    ...eventBase,
    stage: z.literal('uploading_references'),
    data: z.object({ count: z.int().nonnegative() }),
  }),
  z.object({
    ...eventBase,
    stage: z.literal('submitted'),
    data: z.object({ runwareTaskUUID: z.uuid(), numberResults: z.int().positive() }),
  }),
  z.object({
    ...eventBase,
    stage: z.literal('image_ready'),
    data: z.object({ index: z.int().nonnegative(), total: z.int().positive(), image: jobImageSchema }),
  }),
  z.object({
    ...eventBase,
    stage: z.literal('images_scored'),
    data: z.object({ scores: z.array(imageScoreSchema) }),
  }),
  z.object({
    ...eventBase,
    stage: z.literal('delivering'),
    data: z.object({ webhook: z.boolean(), uploadEndpoint: z.boolean() }),
  }),
  z.object({
    ...eventBase,
    stage: z.literal('succeeded'),
    data: z.object({ imageCount: z.int().nonnegative(), cost: z.number().nullable() }),
  }),
  z.object({ ...eventBase, stage: z.literal('failed'), data: z.object({ error: jobErrorSchema }) }),
  z.object({
    ...eventBase,
    stage: z.literal('cancelled'),
    data: z.object({ reason: z.string().optional() }),
  }),
]);
export type JobEvent = z.infer<typeof jobEventSchema>;
export type JobEventOf<S extends JobStage> = Extract<JobEvent, { stage: S }>;
export type JobEventData<S extends JobStage> = JobEventOf<S>['data'];

export const jobTimingsSchema = z.object({
  queuedMs: z.number().nonnegative().optional(),
  uploadMs: z.number().nonnegative().optional(),
  generateMs: z.number().nonnegative().optional(),
  deliverMs: z.number().nonnegative().optional(),
  totalMs: z.number().nonnegative().optional(),
});

/** The full state of a job: what the workflow's query answers; the source of truth for snapshots. */
export const jobStateSchema = z.object({
  jobId: z.string().min(1),
  tenant: z.string().min(1),
  status: z.enum(JOB_STATUSES),
  stage: z.enum(JOB_STAGES),
  /** seq of the last event emitted (0 before the first). */
  seq: z.int().nonnegative(),
  task: jobTaskSchema,
  runwareTaskUUID: z.uuid(),
  images: z.array(jobImageSchema),
  /** Sum of per-image cost when includeCost was asked, else null. */
  cost: z.number().nullable(),
  error: jobErrorSchema.nullable(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  requestId: z.string().optional(),
  /** The job's deadline (its start input's cancelAt), when the client gave one. */
  cancelAt: z.iso.datetime({ offset: true }).optional(),
  /** Its priority in the admission queue, when it was started to wait for a slot there. */
  priority: z.enum(JOB_PRIORITY_LEVELS).optional(),
  /** The OpenTelemetry trace of the job (its start input's traceId), when tracing recorded one. */
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
  /** The job this one retries (retryJob). */
  retryOf: z.string().optional(),
  /** Which events its webhookURL is sent, when the client chose (else the defaults). */
  webhookEvents: z.array(z.enum(WEBHOOK_EVENTS)).optional(),
  /** Its reference check and likeness bar, as it was started with them (a retry keeps both). */
  referenceCheck: z.enum(REFERENCE_CHECK_MODES).optional(),
  minLikeness: z.number().optional(),
  /** Extra images it may make to reach numberResults images at or above minLikeness. */
  regenerateBelow: z.int().optional(),
  timings: jobTimingsSchema,
  /** What the reference check found, when it ran (WARN jobs run with warnings; empty: all passed). */
  referenceWarnings: z.array(referenceWarningSchema).optional(),
});
export type JobState = z.output<typeof jobStateSchema>;
