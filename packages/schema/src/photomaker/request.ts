import { z } from 'zod';
import { classifyImageInput } from './image-input.ts';
import {
  DEFAULTS,
  DELIVERY_METHODS,
  LIMITS,
  OUTPUT_FORMATS,
  OUTPUT_TYPES,
  SAFETY_MODES,
  type SafetyMode,
} from './limits.ts';
import { AIR_PATTERN } from './models.ts';
import { sdxlOptionsShape } from './sdxl-options.ts';
import { seedSchema } from './seed.ts';
import { PHOTOMAKER_STYLES } from './styles.ts';
import { applyTriggerWord } from './trigger-word.ts';

const inputImageSchema = z.string().superRefine((value, ctx) => {
  const result = classifyImageInput(value);
  if (!result.ok) ctx.addIssue({ code: 'custom', message: result.reason });
});

const dimension = (limit: { min: number; max: number; multipleOf: number }) =>
  z.int().min(limit.min).max(limit.max).multipleOf(limit.multipleOf);

const httpUrl = z
  .string()
  .max(LIMITS.url.maxLength)
  .refine((value) => {
    if (!/^https?:\/\//i.test(value)) return false;
    try {
      return new URL(value).hostname.length > 0;
    } catch {
      return false;
    }
  });

export const safetySchema = z.object({
  checkContent: z.boolean().optional(),
  mode: z.enum(SAFETY_MODES).optional(),
});

/**
 * PhotoMaker's own three parameters: top-level on the standalone task, inside `photoMaker` (as
 * `images`, `style`, `strength`) on an imageInference task. Both forms validate with these.
 */
export const photoMakerIdentity = {
  images: z.array(inputImageSchema).min(LIMITS.inputImages.min).max(LIMITS.inputImages.max),
  style: z.enum(PHOTOMAKER_STYLES).default(DEFAULTS.style),
  strength: z.int().min(LIMITS.strength.min).max(LIMITS.strength.max).default(DEFAULTS.strength),
};

/** Every parameter of a photoMaker task except taskType/taskUUID (what a GraphQL client sends). */
export const photoMakerParamsShape = {
  inputImages: photoMakerIdentity.images,
  style: photoMakerIdentity.style,
  strength: photoMakerIdentity.strength,
  positivePrompt: z.string().min(LIMITS.positivePrompt.minLength).max(LIMITS.positivePrompt.maxLength),
  negativePrompt: z
    .string()
    .min(LIMITS.negativePrompt.minLength)
    .max(LIMITS.negativePrompt.maxLength)
    .optional(),
  height: dimension(LIMITS.height),
  width: dimension(LIMITS.width),
  model: z.string().max(200).regex(AIR_PATTERN),
  steps: z.int().min(LIMITS.steps.min).max(LIMITS.steps.max).default(DEFAULTS.steps),
  scheduler: z.string().min(LIMITS.scheduler.minLength).max(LIMITS.scheduler.maxLength).optional(),
  CFGScale: z.number().min(LIMITS.CFGScale.min).max(LIMITS.CFGScale.max).default(DEFAULTS.CFGScale),
  clipSkip: z.int().min(LIMITS.clipSkip.min).max(LIMITS.clipSkip.max).optional(),
  seed: seedSchema.optional(),
  numberResults: z
    .int()
    .min(LIMITS.numberResults.min)
    .max(LIMITS.numberResults.max)
    .default(DEFAULTS.numberResults),
  outputType: z.enum(OUTPUT_TYPES).default(DEFAULTS.outputType),
  outputFormat: z.enum(OUTPUT_FORMATS).default(DEFAULTS.outputFormat),
  outputQuality: z
    .int()
    .min(LIMITS.outputQuality.min)
    .max(LIMITS.outputQuality.max)
    .default(DEFAULTS.outputQuality),
  includeCost: z.boolean().default(DEFAULTS.includeCost),
  safety: safetySchema.optional(),
  webhookURL: httpUrl.optional(),
  uploadEndpoint: httpUrl.optional(),
  ttl: z.int().min(LIMITS.ttl.min).optional(),
  deliveryMethod: z.enum(DELIVERY_METHODS).default(DEFAULTS.deliveryMethod),
  ...sdxlOptionsShape,
};

export const photoMakerParamsSchema = z.object(photoMakerParamsShape);

/** A photoMaker task exactly as Runware validates it on the wire. Unknown keys are dropped. */
export const photoMakerTaskSchema = z.object({
  taskType: z.literal('photoMaker'),
  taskUUID: z.uuidv4(),
  ...photoMakerParamsShape,
});

export type PhotoMakerParamsInput = z.input<typeof photoMakerParamsSchema>;
export type PhotoMakerParams = z.output<typeof photoMakerParamsSchema>;
export type PhotoMakerTaskInput = z.input<typeof photoMakerTaskSchema>;
export type PhotoMakerTask = z.output<typeof photoMakerTaskSchema>;
export type Safety = z.output<typeof safetySchema>;

/** The parameter names in spec order (used for error ordering, GraphQL input mirroring, tests). */
export const PHOTOMAKER_PARAMETERS = Object.keys(photoMakerParamsShape) as (keyof PhotoMakerParams)[];

/** `mode` wins over `checkContent`; `checkContent: true` alone means `fast`. */
export function effectiveSafetyMode(safety: Safety | undefined): SafetyMode {
  if (!safety) return 'none';
  return safety.mode ?? (safety.checkContent ? 'fast' : 'none');
}

/** Runware includes `NSFWContent` in results whenever the `safety` object is used. */
export function reportsNsfw(safety: Safety | undefined): boolean {
  return safety !== undefined;
}

/** What Runware will actually run: the validated task with the `rwre` trigger rule applied. */
export function normalizePhotoMaker<T extends PhotoMakerParams>(task: T): T {
  return { ...task, positivePrompt: applyTriggerWord(task.positivePrompt) };
}
