import {
  DELIVERY_METHODS,
  LIMITS,
  OUTPUT_FORMATS,
  OUTPUT_TYPES,
  PROMPT_WEIGHTINGS,
  SAFETY_MODES,
  SEED_MAX,
} from '../photomaker/limits.ts';
import { PHOTOMAKER_STYLES } from '../photomaker/styles.ts';

export interface ParameterRule {
  /** What a valid value is, completing "must be ...". */
  rule: string;
  min?: number | string;
  max?: number | string;
  allowedValues?: readonly (string | number)[];
}

const range = (what: string, limit: { min: number; max: number }): ParameterRule => ({
  rule: `${what} from ${limit.min} to ${limit.max}`,
  min: limit.min,
  max: limit.max,
});
const length = (limit: { minLength: number; maxLength: number }): ParameterRule => ({
  rule: `a string of ${limit.minLength} to ${limit.maxLength} characters`,
  min: limit.minLength,
  max: limit.maxLength,
});
const oneOf = (values: readonly string[]): ParameterRule => ({
  rule: `one of: ${values.join(', ')}`,
  allowedValues: values,
});
const dimension = (limit: { min: number; max: number; multipleOf: number }): ParameterRule => ({
  rule: `an integer from ${limit.min} to ${limit.max}, divisible by ${limit.multipleOf}`,
  min: limit.min,
  max: limit.max,
});
const httpUrl: ParameterRule = { rule: `an http(s) URL of at most ${LIMITS.url.maxLength} characters` };
const AIR_RULE = 'a model AIR identifier source:id@version, e.g. civitai:139562@344487';
const images: ParameterRule = {
  rule: `an array of ${LIMITS.inputImages.min} to ${LIMITS.inputImages.max} images, each a UUID v4, a data URI (png, jpeg, webp), raw base64 or an http(s) URL`,
  min: LIMITS.inputImages.min,
  max: LIMITS.inputImages.max,
};
/** An imageInference task's reference images, given in exactly one of the places Runware reads them. */
const referenceImages: ParameterRule = {
  ...images,
  rule: `${images.rule}, given once: in photoMaker.images, inputs.referenceImages or referenceImages`,
};
const flag: ParameterRule = { rule: 'a boolean' };
const count = (min: number): ParameterRule => ({ rule: `an integer of at least ${min}`, min });
const percentage = range('a number', LIMITS.cachePercentage);

/** Runware's SDXL parameters a PhotoMaker job passes through (sdxl-options.ts). */
const SDXL_OPTION_RULES: Record<string, ParameterRule> = {
  lora: { rule: 'an array of LoRAs { model: AIR, weight?: number }' },
  'lora.model': { rule: AIR_RULE },
  'lora.weight': range('a number', LIMITS.loraWeight),
  acceleratorOptions: { rule: 'an object of caching options (teaCache, deepCache, cache steps)' },
  'acceleratorOptions.teaCache': flag,
  'acceleratorOptions.teaCacheDistance': range('a number', LIMITS.teaCacheDistance),
  'acceleratorOptions.deepCache': flag,
  'acceleratorOptions.deepCacheInterval': count(1),
  'acceleratorOptions.deepCacheBranchId': count(0),
  'acceleratorOptions.cacheStartStep': count(0),
  'acceleratorOptions.cacheStartStepPercentage': percentage,
  'acceleratorOptions.cacheEndStep': count(0),
  'acceleratorOptions.cacheEndStepPercentage': percentage,
  'acceleratorOptions.cacheMaxConsecutiveSteps': count(1),
  vae: { rule: `a VAE given as ${AIR_RULE}` },
  promptWeighting: oneOf(PROMPT_WEIGHTINGS),
};

/** The nested form's own fields (image-inference.ts); its other parameters are the standalone task's. */
const NESTED_FORM_RULES: Record<string, ParameterRule> = {
  photoMaker: {
    rule: 'an object { images, style?, strength? }: this platform runs PhotoMaker jobs, so an imageInference task must carry one',
  },
  'photoMaker.images': referenceImages,
  'photoMaker.style': oneOf(PHOTOMAKER_STYLES),
  'photoMaker.strength': range('an integer', LIMITS.strength),
  inputs: { rule: 'an object { referenceImages? }' },
  'inputs.referenceImages': referenceImages,
  referenceImages,
};

/**
 * The rule of every parameter (nested ones by their dotted path), in words: validation-error.ts quotes it,
 * so each error names its limit.
 */
export const PARAMETER_RULES: Record<string, ParameterRule> = {
  taskType: { rule: 'the task type "photoMaker" or "imageInference"' },
  taskUUID: { rule: 'a UUID v4 string, unique per task' },
  inputImages: images,
  style: oneOf(PHOTOMAKER_STYLES),
  strength: range('an integer', LIMITS.strength),
  positivePrompt: length(LIMITS.positivePrompt),
  negativePrompt: length(LIMITS.negativePrompt),
  width: dimension(LIMITS.width),
  height: dimension(LIMITS.height),
  model: { rule: 'an SDXL model AIR identifier source:id@version, e.g. civitai:139562@344487' },
  steps: range('an integer', LIMITS.steps),
  scheduler: length(LIMITS.scheduler),
  CFGScale: range('a number', LIMITS.CFGScale),
  clipSkip: range('an integer', LIMITS.clipSkip),
  seed: {
    rule: `an integer from 1 to ${SEED_MAX} (above 2^53 send it as a decimal string or an exact JSON integer)`,
    min: 1,
    max: SEED_MAX.toString(),
  },
  numberResults: range('an integer', LIMITS.numberResults),
  outputType: oneOf(OUTPUT_TYPES),
  outputFormat: oneOf(OUTPUT_FORMATS),
  outputQuality: range('an integer', LIMITS.outputQuality),
  includeCost: { rule: 'a boolean' },
  safety: { rule: 'an object { checkContent?: boolean, mode?: "none" | "fast" | "full" }' },
  'safety.checkContent': { rule: 'a boolean' },
  'safety.mode': oneOf(SAFETY_MODES),
  webhookURL: httpUrl,
  uploadEndpoint: httpUrl,
  ttl: { rule: `an integer of at least ${LIMITS.ttl.min} (seconds)`, min: LIMITS.ttl.min },
  deliveryMethod: oneOf(DELIVERY_METHODS),
  image: {
    rule: 'a data URI (png, jpeg, webp), raw base64 of a PNG/JPEG/WEBP image, or an http(s) URL',
  },
  apiKey: { rule: 'a non-empty API key string' },
  ...SDXL_OPTION_RULES,
  ...NESTED_FORM_RULES,
};
