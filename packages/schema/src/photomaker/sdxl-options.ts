import { z } from 'zod';
import { LIMITS, PROMPT_WEIGHTINGS } from './limits.ts';
import { AIR_PATTERN } from './models.ts';

/**
 * Runware's SDXL imageInference parameters that a PhotoMaker job can carry besides its own: in Runware's
 * current schema they sit on the same SDXL params as the nested photoMaker object. They pass through to
 * Runware unchanged; rules are checked where Runware documents them, the rest only by type.
 */
const air = z.string().max(200).regex(AIR_PATTERN);

export const loraSchema = z.object({
  model: air,
  weight: z.number().min(LIMITS.loraWeight.min).max(LIMITS.loraWeight.max).default(LIMITS.loraWeight.default),
});

const nonNegativeInt = z.int().min(0);
const percentage = z.number().min(LIMITS.cachePercentage.min).max(LIMITS.cachePercentage.max);

/** Caching accelerators (TeaCache for transformers, DeepCache for UNets): speed only, never our state. */
export const acceleratorOptionsSchema = z.object({
  teaCache: z.boolean().optional(),
  teaCacheDistance: z.number().min(LIMITS.teaCacheDistance.min).max(LIMITS.teaCacheDistance.max).optional(),
  deepCache: z.boolean().optional(),
  deepCacheInterval: z.int().min(1).optional(),
  deepCacheBranchId: nonNegativeInt.optional(),
  cacheStartStep: nonNegativeInt.optional(),
  cacheStartStepPercentage: percentage.optional(),
  cacheEndStep: nonNegativeInt.optional(),
  cacheEndStepPercentage: percentage.optional(),
  cacheMaxConsecutiveSteps: z.int().min(1).optional(),
});

export const sdxlOptionsShape = {
  lora: z.array(loraSchema).optional(),
  acceleratorOptions: acceleratorOptionsSchema.optional(),
  vae: air.optional(),
  promptWeighting: z.enum(PROMPT_WEIGHTINGS).optional(),
};

export type Lora = z.output<typeof loraSchema>;
export type AcceleratorOptions = z.output<typeof acceleratorOptionsSchema>;
