import type { JobTask } from '@photomaker/schema';
import { LIMITS, OUTPUT_FORMATS, SEED_MAX } from '@photomaker/schema/job';
import { JOB_PRIORITIES, type PhotoMakerJobInput } from '@photomaker/temporal';

// Workflow-safe and zod-free on purpose (the sandbox evaluates each import again for every workflow run):
// a cheap check of what the workflow relies on; the api validated the whole task with the zod schemas.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256 = /^[0-9a-f]{64}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const FORMATS: ReadonlySet<string> = new Set(OUTPUT_FORMATS);
/** A seed is a decimal string of at most as many digits as the largest seed. */
const SEED = new RegExp(`^[0-9]{1,${String(SEED_MAX).length}}$`);

/** Whether `value` is an integer within `limit` (a LIMITS entry). */
function within(value: unknown, limit: { min: number; max: number }): boolean {
  return Number.isInteger(value) && (value as number) >= limit.min && (value as number) <= limit.max;
}

const text = (value: unknown) => typeof value === 'string' && value.length > 0;
const PRIORITIES: ReadonlySet<unknown> = new Set(JOB_PRIORITIES);
const count = (value: unknown, min: number) => Number.isInteger(value) && (value as number) >= min;

/**
 * What the workflow relies on in its input (the api validated the whole task with @photomaker/schema
 * before starting it). Returns the problems, each naming the field and the rule.
 */
export function inputProblems(input: PhotoMakerJobInput | undefined): string[] {
  const problems: string[] = [];
  if (!text(input?.jobId)) problems.push('jobId must be a non-empty string');
  if (!text(input?.tenant)) problems.push('tenant must be a non-empty string');
  if (!UUID.test(String(input?.runwareTaskUUID))) problems.push('runwareTaskUUID must be a UUID');
  if (!text(input?.createdAt) || Number.isNaN(Date.parse(String(input?.createdAt))))
    problems.push('createdAt must be an ISO-8601 timestamp');
  if (input?.cancelAt !== undefined && Number.isNaN(Date.parse(String(input.cancelAt))))
    problems.push('cancelAt must be an ISO-8601 timestamp');
  problems.push(...admissionProblems(input?.admission));
  problems.push(...likenessProblems(input));
  if (input?.traceId !== undefined && !TRACE_ID.test(String(input.traceId)))
    problems.push('traceId must be 32 lowercase hex digits');
  const task = input?.task as Partial<JobTask> | undefined;
  if (!task || typeof task !== 'object') return [...problems, 'task must be an object'];
  return [...problems, ...taskProblems(task)];
}

/** minLikeness in [0, 1]; regenerateBelow a count of extra images, only with a minLikeness. */
function likenessProblems(input: Partial<PhotoMakerJobInput> | undefined): string[] {
  const problems: string[] = [];
  const min = input?.minLikeness;
  if (min !== undefined && !(typeof min === 'number' && min >= 0 && min <= 1))
    problems.push('minLikeness must be a number from 0 to 1');
  const extra = input?.regenerateBelow;
  if (extra !== undefined && !(Number.isInteger(extra) && extra >= 0 && (extra === 0 || min !== undefined)))
    problems.push('regenerateBelow must be an integer from 0, with minLikeness');
  return problems;
}

function taskProblems(task: Partial<JobTask>): string[] {
  const problems: string[] = [];
  const { numberResults } = LIMITS;
  if (!within(task.numberResults, numberResults))
    problems.push(`task.numberResults must be an integer from ${numberResults.min} to ${numberResults.max}`);
  for (const side of ['width', 'height'] as const) {
    if (!within(task[side], LIMITS[side]))
      problems.push(`task.${side} must be an integer from ${LIMITS[side].min} to ${LIMITS[side].max}`);
  }
  if (!FORMATS.has(String(task.outputFormat)))
    problems.push(`task.outputFormat must be one of ${OUTPUT_FORMATS.join(', ')}`);
  if (task.seed !== undefined && !SEED.test(String(task.seed)))
    problems.push('task.seed must be a decimal string');
  problems.push(...referenceProblems(task.inputImages));
  if (typeof task.positivePrompt !== 'string') problems.push('task.positivePrompt must be a string');
  if (typeof task.model !== 'string') problems.push('task.model must be a string');
  return problems;
}

function referenceProblems(images: JobTask['inputImages'] | undefined): string[] {
  const { inputImages } = LIMITS;
  if (!Array.isArray(images) || !within(images.length, inputImages)) {
    return [`task.inputImages must hold ${inputImages.min} to ${inputImages.max} references`];
  }
  return images.flatMap((image, index) => {
    const ok =
      (image?.kind === 'blob' && SHA256.test(String(image.blob?.sha256)) && text(image.blob?.mediaType)) ||
      (image?.kind === 'runware' && UUID.test(String(image.imageUUID)));
    return ok ? [] : [`task.inputImages[${index}] must be a blob reference or a Runware imageUUID`];
  });
}

function admissionProblems(admission: PhotoMakerJobInput['admission']): string[] {
  if (admission === undefined) return [];
  const problems: string[] = [];
  if (!PRIORITIES.has(admission?.priority))
    problems.push(`admission.priority must be one of ${JOB_PRIORITIES.join(', ')}`);
  if (!count(admission?.weight, 1)) problems.push('admission.weight must be an integer >= 1');
  for (const limit of ['maxRunningJobs', 'maxInFlight'] as const) {
    if (admission?.[limit] !== undefined && !count(admission[limit], 0))
      problems.push(`admission.${limit} must be an integer >= 0`);
  }
  return problems;
}
