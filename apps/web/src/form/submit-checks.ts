import { ApiError, type InputProblem } from '../api/client.ts';
import { plural } from '../lib/format.ts';
import { ADVANCED_FIELDS } from './advanced-fields.ts';
import type { FieldErrors } from './form-state.ts';
import type { ReferencePhoto } from './reference-photos.ts';

/** The fields in form order: the first one with an error gets the focus. */
export const FIELD_ORDER = [
  'inputImages',
  'positivePrompt',
  'style',
  'strength',
  'width',
  'height',
  'numberResults',
  'seed',
  ...ADVANCED_FIELDS,
];

export const isPending = (photos: readonly ReferencePhoto[]) =>
  photos.some((p) => p.status === 'reading' || p.status === 'uploading');

/** Why the form cannot be sent yet (and which field to focus), or undefined when it can. */
export function submitBlocker(
  photos: readonly ReferencePhoto[],
  clientErrors: FieldErrors,
): { notice: string; focus?: string } | undefined {
  if (isPending(photos)) return { notice: 'One moment: the photos are still uploading.' };
  const first = FIELD_ORDER.find((field) => clientErrors[field]);
  if (first) return { notice: 'Some fields need a fix (marked in red).', focus: first };
  return undefined;
}

/** The API's problems as field errors: the first message per top-level parameter. */
export function fieldErrorsOf(problems: readonly InputProblem[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const problem of problems) errors[problem.parameter.split('.')[0] ?? 'form'] ??= problem.message;
  return errors;
}

/** What a failed submission shows: field errors when the API named fields, else the error's message. */
export function submitFailure(error: unknown): { notice: string; fieldErrors?: FieldErrors } {
  if (error instanceof ApiError && error.problems.length > 0)
    return {
      notice: 'The API refused the request: see the fields marked in red.',
      fieldErrors: fieldErrorsOf(error.problems),
    };
  return { notice: (error as Error).message };
}

/** The submit button's text. */
export function submitLabel(busy: boolean, uploading: boolean, count: number): string {
  if (busy) return 'Starting…';
  if (uploading) return 'Uploading photos…';
  return `Generate ${Number.isInteger(count) && count > 0 ? plural(count, 'image') : 'images'}`;
}
