import type { RunwareError } from '@photomaker/schema';
import type { z } from 'zod';
import type { RunwareItem } from './envelope.ts';
import { type FailureContext, transportErrorFrom } from './error-mapping.ts';

/** Items of this task (or of no task: Runware omits taskUUID on some single-task answers). */
export function ownItems(items: readonly RunwareItem[], taskUUID: string | undefined): RunwareItem[] {
  return items.filter((item) => item.taskUUID === undefined || item.taskUUID === taskUUID);
}

/** Errors of this task, or errors naming no task. */
export function ownErrors(errors: readonly RunwareError[], taskUUID: string | undefined): RunwareError[] {
  return errors.filter((error) => error.taskUUID === undefined || error.taskUUID === taskUUID);
}

/** A result item through its schema; a malformed one is the server's fault, and retryable. */
export function parseItem<S extends z.ZodType>(
  schema: S,
  item: unknown,
  context: FailureContext,
): z.output<S> {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw transportErrorFrom(
    new Error(
      `malformed ${context.taskType ?? 'result'} item${issue ? `: '${issue.path.join('.')}' ${issue.message}` : ''}`,
    ),
    { ...context, code: 'invalidResponse', category: 'serverError' },
  );
}
