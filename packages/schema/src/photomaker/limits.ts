/**
 * Every numeric/length limit of the photoMaker task, in one place: the zod schemas are built from these
 * and validation messages quote them, so a limit can never say one thing and check another.
 */
export const SEED_MIN = 1n;
/** 2^63 - 1: beyond JavaScript's safe integers, so seeds travel as decimal strings / bigint. */
export const SEED_MAX = 9223372036854775807n;

export const LIMITS = {
  positivePrompt: { minLength: 2, maxLength: 300 },
  negativePrompt: { minLength: 2, maxLength: 3000 },
  inputImages: { min: 1, max: 4 },
  strength: { min: 15, max: 50, default: 15 },
  width: { min: 128, max: 2048, multipleOf: 64 },
  height: { min: 128, max: 2048, multipleOf: 64 },
  steps: { min: 1, max: 100, default: 20 },
  CFGScale: { min: 0, max: 50, default: 7 },
  clipSkip: { min: 0, max: 2 },
  numberResults: { min: 1, max: 20, default: 1 },
  outputQuality: { min: 20, max: 99, default: 95 },
  ttl: { min: 60 },
  scheduler: { minLength: 1, maxLength: 100 },
  url: { maxLength: 2048 },
  /** A LoRA's weight: Runware's image-inference reference (`lora[].weight`), default 1. */
  loraWeight: { min: -4, max: 4, default: 1 },
  /** acceleratorOptions.teaCacheDistance: how far TeaCache may drift before recomputing. */
  teaCacheDistance: { min: 0, max: 1 },
  /** acceleratorOptions.*Percentage: a share of the steps. */
  cachePercentage: { min: 0, max: 100 },
} as const;

/** How the prompt's weighting syntax is read (Runware's `promptWeighting`). */
export const PROMPT_WEIGHTINGS = ['compel', 'sdEmbeds'] as const;
export type PromptWeighting = (typeof PROMPT_WEIGHTINGS)[number];

export const OUTPUT_TYPES = ['URL', 'base64Data', 'dataURI'] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

export const OUTPUT_FORMATS = ['JPG', 'PNG', 'WEBP'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const DELIVERY_METHODS = ['sync', 'async'] as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[number];

export const SAFETY_MODES = ['none', 'fast', 'full'] as const;
export type SafetyMode = (typeof SAFETY_MODES)[number];

export const INPUT_IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type InputImageMediaType = (typeof INPUT_IMAGE_MEDIA_TYPES)[number];

export const DEFAULTS = {
  style: 'No style',
  strength: LIMITS.strength.default,
  steps: LIMITS.steps.default,
  CFGScale: LIMITS.CFGScale.default,
  numberResults: LIMITS.numberResults.default,
  outputType: 'URL',
  outputFormat: 'JPG',
  outputQuality: LIMITS.outputQuality.default,
  includeCost: false,
  deliveryMethod: 'sync',
} as const;
