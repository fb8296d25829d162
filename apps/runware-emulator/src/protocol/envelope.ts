import { stringifyRunwareJson } from '@photomaker/schema';
import type { TaskFailure } from './errors.ts';
import type { TaskOutcome } from './outcome.ts';

export interface Envelope {
  data?: unknown[];
  errors?: unknown[];
}

/** `{data}`, `{errors}` or both: Runware never sends an empty `errors` array. */
export function envelope(data: unknown[], errors: TaskFailure[]): Envelope {
  const out: Envelope = {};
  if (data.length > 0 || errors.length === 0) out.data = data;
  if (errors.length > 0) out.errors = errors.map((failure) => failure.error);
  return out;
}

/** Repeats each result item of a task that drew a `duplicateFrames` fault. */
function itemsOf(outcome: TaskOutcome): unknown[] {
  const copies = 1 + (outcome.faults.duplicates ?? 0);
  if (copies === 1) return outcome.data;
  return outcome.data.flatMap((item) => Array.from({ length: copies }, () => item));
}

export interface RestAnswer {
  status: number;
  body: string;
  retryAfterSeconds?: number;
}

/**
 * One REST answer for a whole batch. 200 when any task was served (per-task errors ride along in
 * `errors`); when every task failed, the status of the first error (400 validation, 401 key,
 * 402 balance, 404 unknown task, 429/503/504 capacity), with Retry-After for 429/503.
 */
export function restAnswer(outcomes: TaskOutcome[]): RestAnswer {
  const data = outcomes.flatMap(itemsOf);
  const errors = outcomes.flatMap((outcome) => outcome.errors);
  const served = outcomes.length === 0 || outcomes.some((outcome) => outcome.ok);
  const status = served ? 200 : (errors[0]?.status ?? 400);
  const retryAfter = errors
    .map((failure) => failure.retryAfterSeconds)
    .filter((value): value is number => value !== undefined);
  return {
    status,
    body: stringifyRunwareJson(envelope(data, errors)),
    ...(!served && retryAfter.length > 0 ? { retryAfterSeconds: Math.max(...retryAfter) } : {}),
  };
}

export function frame(value: Envelope): string {
  return stringifyRunwareJson(value);
}
