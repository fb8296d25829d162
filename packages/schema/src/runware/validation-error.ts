import type { z } from 'zod';
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
import type { RunwareError } from './error.ts';

interface Rule {
  /** What a valid value is, completing "must be ...". */
  rule: string;
  min?: number | string;
  max?: number | string;
  allowedValues?: readonly (string | number)[];
}

const range = (what: string, limit: { min: number; max: number }): Rule => ({
  rule: `${what} from ${limit.min} to ${limit.max}`,
  min: limit.min,
  max: limit.max,
});
const length = (limit: { minLength: number; maxLength: number }): Rule => ({
  rule: `a string of ${limit.minLength} to ${limit.maxLength} characters`,
  min: limit.minLength,
  max: limit.maxLength,
});
const oneOf = (values: readonly string[]): Rule => ({
  rule: `one of: ${values.join(', ')}`,
  allowedValues: values,
});
const dimension = (limit: { min: number; max: number; multipleOf: number }): Rule => ({
  rule: `an integer from ${limit.min} to ${limit.max}, divisible by ${limit.multipleOf}`,
  min: limit.min,
  max: limit.max,
});
const httpUrl: Rule = { rule: `an http(s) URL of at most ${LIMITS.url.maxLength} characters` };
const AIR_RULE = 'a model AIR identifier source:id@version, e.g. civitai:139562@344487';
const images: Rule = {
  rule: `an array of ${LIMITS.inputImages.min} to ${LIMITS.inputImages.max} images, each a UUID v4, a data URI (png, jpeg, webp), raw base64 or an http(s) URL`,
  min: LIMITS.inputImages.min,
  max: LIMITS.inputImages.max,
};
/** An imageInference task's reference images, given in exactly one of the places Runware reads them. */
const referenceImages: Rule = {
  ...images,
  rule: `${images.rule}, given once: in photoMaker.images, inputs.referenceImages or referenceImages`,
};
const flag: Rule = { rule: 'a boolean' };
const count = (min: number): Rule => ({ rule: `an integer of at least ${min}`, min });
const percentage = range('a number', LIMITS.cachePercentage);

/** Runware's SDXL parameters a PhotoMaker job passes through (sdxl-options.ts). */
const SDXL_OPTION_RULES: Record<string, Rule> = {
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
const NESTED_FORM_RULES: Record<string, Rule> = {
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

/** The rule of every parameter, in words; messages quote it so each error names its limit. */
export const PARAMETER_RULES: Record<string, Rule> = {
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

const DOCS = 'https://runware.ai/docs/image-inference/photomaker';

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** `strength` -> `invalidStrength`, `safety.mode` -> `invalidSafetyMode`. Stable: clients branch on it. */
export function errorCode(kind: 'missing' | 'invalid', parameter: string): string {
  return kind + parameter.split('.').map(capitalize).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The path as the client wrote it: `photoMaker.images[2]`, `lora[1].weight`. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((key, at) => (typeof key === 'number' ? `[${key}]` : `${at === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

export interface ErrorContext {
  taskType?: string | undefined;
  taskUUID?: string | undefined;
  documentation?: string | undefined;
}

/** Where in an array the fault is (and, for our own checks, what it is): ` (lora[1].weight)`. */
function indexDetail(issue: z.ZodError['issues'][number]): string {
  const where = pathText(issue.path);
  return issue.code === 'custom' ? ` (${where} ${issue.message})` : ` (at ${where})`;
}

/** The error of one offending parameter: `missingX` when absent, `invalidX` with the rule otherwise. */
function parameterError(
  issue: z.ZodError['issues'][number],
  input: unknown,
  context: ErrorContext,
  names: string[],
): RunwareError {
  const parameter = names.join('.');
  const index = issue.path.find((key): key is number => typeof key === 'number');
  // An absent property (also inside an array's objects: lora[0].model), not an array slot.
  const missing = typeof issue.path.at(-1) === 'string' && valueAt(input, issue.path) === undefined;
  const rule = PARAMETER_RULES[parameter] ?? { rule: 'a valid value' };
  const detail = index === undefined ? '' : indexDetail(issue);
  const message = missing
    ? `Missing required parameter '${parameter}': it must be ${rule.rule}.`
    : `Invalid value for '${parameter}': it must be ${rule.rule}.${detail}`;
  return {
    code: errorCode(missing ? 'missing' : 'invalid', parameter),
    message,
    parameter,
    ...base(context, parameter),
    ...(rule.min !== undefined ? { min: rule.min } : {}),
    ...(rule.max !== undefined ? { max: rule.max } : {}),
    ...(rule.allowedValues ? { allowedValues: [...rule.allowedValues] } : {}),
  };
}

/**
 * The one function that turns a zod failure into Runware-style errors: one per offending parameter,
 * with a stable code (`missingX` when absent, `invalidX` otherwise), the parameter, a message that names
 * the limit, and min/max/allowedValues when the rule has them. Values are never echoed: prompts and
 * images may be private. GraphQL, /v1, the worker and the emulator all use this.
 */
export function toRunwareErrors(
  error: z.ZodError,
  input: unknown,
  context: ErrorContext = {},
): RunwareError[] {
  const errors: RunwareError[] = [];
  const seen = new Set<string>();
  for (const issue of error.issues) {
    const names = issue.path.filter((key): key is string => typeof key === 'string');
    const parameter = names.join('.');
    if (parameter === '' && issue.path.length === 0) {
      errors.push({
        code: 'invalidTaskFormat',
        message: 'A task must be a JSON object with a taskType.',
        ...base(context),
      });
    } else if (!seen.has(parameter)) {
      seen.add(parameter);
      errors.push(parameterError(issue, input, context, names));
    }
  }
  return errors;
}

function base(context: ErrorContext, parameter?: string): Partial<RunwareError> {
  const out: Partial<RunwareError> = {};
  if (context.taskType) out.taskType = context.taskType;
  if (context.taskUUID) out.taskUUID = context.taskUUID;
  out.documentation =
    context.documentation ?? (parameter ? `${DOCS}#request-${parameter.split('.')[0]?.toLowerCase()}` : DOCS);
  return out;
}
