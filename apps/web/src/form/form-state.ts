import {
  DEFAULT_MODEL,
  DEFAULTS,
  photoMakerParamsSchema,
  resolveCancelAfter,
  STYLE_ENUM,
  type StyleEnumName,
  validateWith,
} from '@photomaker/schema';
import type { PhotoMakerInput } from '../api/operations.ts';
import type { ReferencePhoto } from './reference-photos.ts';
import { SIZE_PRESETS } from './size-presets.ts';

/** What the form holds. Numbers stay strings while typed so a half-typed value is not lost. */
export interface FormState {
  positivePrompt: string;
  style: StyleEnumName;
  strength: number;
  sizePreset: string;
  width: string;
  height: string;
  numberResults: string;
  /** Empty: random. */
  seed: string;
  negativePrompt: string;
  model: string;
  steps: string;
  CFGScale: string;
  scheduler: string;
  clipSkip: string;
  outputFormat: 'JPG' | 'PNG' | 'WEBP';
  outputQuality: string;
  includeCost: boolean;
  safetyMode: 'NONE' | 'FAST' | 'FULL';
  webhookURL: string;
  uploadEndpoint: string;
  /** Empty: no deadline. A duration ("10m") or an ISO time; not a Runware parameter. */
  cancelAfter: string;
  /** Empty: the tenant's default. Where the job queues among this key's own waiting jobs. */
  priority: '' | 'HIGH' | 'NORMAL' | 'LOW';
}

const firstPreset = SIZE_PRESETS[1] ?? { id: 'square', width: 1024, height: 1024 };

export const INITIAL_FORM: FormState = {
  positivePrompt: '',
  style: 'PHOTOGRAPHIC',
  strength: 20,
  sizePreset: firstPreset.id,
  width: String(firstPreset.width),
  height: String(firstPreset.height),
  numberResults: '2',
  seed: '',
  negativePrompt: '',
  model: DEFAULT_MODEL,
  steps: String(DEFAULTS.steps),
  CFGScale: String(DEFAULTS.CFGScale),
  scheduler: '',
  clipSkip: '',
  outputFormat: 'JPG',
  outputQuality: String(DEFAULTS.outputQuality),
  includeCost: true,
  safetyMode: 'NONE',
  webhookURL: '',
  uploadEndpoint: '',
  cancelAfter: '',
  priority: '',
};

/** Field name (Runware's parameter) -> message. */
export type FieldErrors = Partial<Record<string, string>>;

// Any valid UUID stands in for a photo that is still uploading: validation is about the count here.
const PLACEHOLDER_UUID = '00000000-0000-4000-8000-000000000000';

const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
const optionalNum = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
const optionalText = (text: string): string | undefined => (text.trim() === '' ? undefined : text);

/** The Runware-shaped parameters the shared schema validates (style by its wire name). */
function runwareParams(form: FormState, photos: ReferencePhoto[]): Record<string, unknown> {
  const usable = photos.filter((p) => p.status !== 'failed');
  return {
    inputImages: usable.map((p) => p.remoteId ?? PLACEHOLDER_UUID),
    style: STYLE_ENUM[form.style],
    strength: form.strength,
    positivePrompt: form.positivePrompt,
    negativePrompt: optionalText(form.negativePrompt),
    width: num(form.width),
    height: num(form.height),
    model: form.model.trim(),
    steps: num(form.steps),
    CFGScale: num(form.CFGScale),
    scheduler: optionalText(form.scheduler),
    clipSkip: optionalNum(form.clipSkip),
    seed: optionalText(form.seed.trim()),
    numberResults: num(form.numberResults),
    outputFormat: form.outputFormat,
    outputQuality: num(form.outputQuality),
    includeCost: form.includeCost,
    safety: form.safetyMode === 'NONE' ? undefined : { mode: form.safetyMode.toLowerCase() },
    webhookURL: optionalText(form.webhookURL.trim()),
    uploadEndpoint: optionalText(form.uploadEndpoint.trim()),
  };
}

/**
 * Inline validation with the API's own rules and messages: the shared zod schema and the one
 * zod->Runware error converter (packages/schema), so the browser can never disagree with the server.
 */
export function validateForm(form: FormState, photos: ReferencePhoto[]): FieldErrors {
  const errors: FieldErrors = {};
  const result = validateWith(photoMakerParamsSchema, runwareParams(form, photos));
  if (!result.ok) {
    for (const error of result.errors) {
      const parameter = Array.isArray(error.parameter) ? error.parameter[0] : error.parameter;
      const field = (parameter ?? 'form').split('.')[0] ?? 'form';
      errors[field] ??= error.message;
    }
  }
  const cancelAfter = form.cancelAfter.trim();
  if (cancelAfter !== '') {
    // The API resolves it again when the job is submitted: this only catches a typo early.
    const deadline = resolveCancelAfter(cancelAfter, Date.now());
    if (!deadline.ok) errors.cancelAfter = deadline.message;
  }
  if (photos.some((p) => p.status === 'failed')) {
    errors.inputImages ??= 'Remove the photos that could not be used (marked in red).';
  }
  return errors;
}

/** The GraphQL input; call after validateForm found nothing. */
export function toInput(form: FormState, photos: ReferencePhoto[]): PhotoMakerInput {
  const params = runwareParams(form, photos);
  const input: PhotoMakerInput = {
    inputImages: photos.filter((p) => p.remoteId).map((p) => p.remoteId as string),
    positivePrompt: form.positivePrompt,
    style: form.style,
    strength: form.strength,
    width: params.width as number,
    height: params.height as number,
    model: params.model as string,
    steps: params.steps as number,
    CFGScale: params.CFGScale as number,
    numberResults: params.numberResults as number,
    outputFormat: form.outputFormat,
    outputQuality: params.outputQuality as number,
    includeCost: form.includeCost,
  };
  if (params.negativePrompt) input.negativePrompt = params.negativePrompt as string;
  if (params.scheduler) input.scheduler = params.scheduler as string;
  if (params.clipSkip !== undefined) input.clipSkip = params.clipSkip as number;
  if (params.seed) input.seed = params.seed as string;
  if (form.safetyMode !== 'NONE') input.safety = { mode: form.safetyMode };
  if (params.webhookURL) input.webhookURL = params.webhookURL as string;
  if (params.uploadEndpoint) input.uploadEndpoint = params.uploadEndpoint as string;
  if (form.cancelAfter.trim() !== '') input.cancelAfter = form.cancelAfter.trim();
  if (form.priority !== '') input.priority = form.priority;
  return input;
}

/** A random seed in Runware's range, as a decimal string (exact beyond 2^53). */
export function randomSeed(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return ((value % 9223372036854775807n) + 1n).toString();
}
