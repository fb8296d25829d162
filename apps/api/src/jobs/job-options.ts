import { parseExpiresIn } from '@photomaker/retention/policy';
import {
  minLikenessSchema,
  type PhotoMakerParams,
  type ReferenceCheckMode,
  referenceCheckSchema,
  regenerateBelowProblem,
  regenerateBelowSchema,
} from '@photomaker/schema';
import { InvalidInputError } from './input-error.ts';
import type { StartJobRequest } from './job-service.ts';

// A submission's own options beside its task (both transports): checked here, absent when not set.

/** The fields a submission carries them in, as the client sent them. */
export interface OptionFields {
  referenceCheck?: unknown;
  defaultReferenceCheck?: ReferenceCheckMode | undefined;
  minLikeness?: unknown;
  expiresIn?: unknown;
}

/** The job's own options beside its task: only those set (a reference check other than OFF). */
export type JobOptions = Pick<
  StartJobRequest,
  'referenceCheck' | 'minLikeness' | 'regenerateBelow' | 'expiresInMs'
>;

/** The options a client sent (or the tenant's defaults), checked. */
export function jobOptionsOf(request: OptionFields): JobOptions {
  const referenceCheck = referenceCheckOf(request.referenceCheck) ?? request.defaultReferenceCheck ?? 'OFF';
  const minLikeness = minLikenessOf(request.minLikeness);
  const expiresInMs = expiresInOf(request.expiresIn);
  return {
    ...(referenceCheck !== 'OFF' ? { referenceCheck } : {}),
    ...(minLikeness !== undefined ? { minLikeness } : {}),
    ...(expiresInMs !== undefined ? { expiresInMs } : {}),
  };
}

/** The reference check a client sent, checked; undefined when it sent none. */
function referenceCheckOf(value: unknown): ReferenceCheckMode | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = referenceCheckSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw InvalidInputError.of(
    'invalidReferenceCheck',
    'referenceCheck',
    parsed.error.issues[0]?.message ?? '',
  );
}

/** The minLikeness a client sent, checked; undefined when it sent none. */
function minLikenessOf(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = minLikenessSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw InvalidInputError.of('invalidMinLikeness', 'minLikeness', parsed.error.issues[0]?.message ?? '');
}

/**
 * The regenerateBelow a client sent, checked against the job's numberResults and minLikeness; undefined
 * when it sent none or 0 (no extra images).
 */
function regenerateBelowOf(
  value: unknown,
  job: { numberResults: number; minLikeness?: number | undefined },
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const parsed = regenerateBelowSchema.safeParse(value);
  const problem = parsed.success
    ? regenerateBelowProblem(parsed.data, job)
    : (parsed.error.issues[0]?.message ?? '');
  if (problem !== undefined) throw InvalidInputError.of('invalidRegenerateBelow', 'regenerateBelow', problem);
  return parsed.data || undefined;
}

/** A job's `expiresIn` in ms; undefined without one. */
function expiresInOf(expiresIn: unknown): number | undefined {
  if (expiresIn === undefined) return undefined;
  const parsed = parseExpiresIn(expiresIn);
  if (!parsed.ok) throw InvalidInputError.of('invalidExpiresIn', 'expiresIn', parsed.message);
  return parsed.ms;
}

/** The job's options with its regenerateBelow, checked against its parameters. */
export function withRegenerateBelow(
  options: JobOptions,
  value: unknown,
  params: PhotoMakerParams,
): JobOptions {
  const job = { numberResults: params.numberResults ?? 1, minLikeness: options.minLikeness };
  const regenerateBelow = regenerateBelowOf(value, job);
  return regenerateBelow ? { ...options, regenerateBelow } : options;
}

/**
 * The most images a job can make: numberResults and every extra image its regenerateBelow allows. Image
 * limits and spend count this worst case at submission, so nothing the job does later exceeds them.
 */
export function imagesAtMost(params: PhotoMakerParams, options: Pick<JobOptions, 'regenerateBelow'>): number {
  return (params.numberResults ?? 1) + (options.regenerateBelow ?? 0);
}
