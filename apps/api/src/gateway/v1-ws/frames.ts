import { parseRunwareJson, type RunwareError, stringifyRunwareJson } from '@photomaker/schema';
import { type Item, runwareError } from '../v1/results.ts';

/** What a server frame carries: Runware's `{ data, errors }` envelope, each part only when not empty. */
export function envelope(data: readonly Item[], errors: readonly RunwareError[] = []): string {
  return stringifyRunwareJson({
    ...(data.length > 0 ? { data } : {}),
    ...(errors.length > 0 ? { errors } : {}),
  });
}

/** A client frame as its tasks, or the error that answers it (Runware: a frame is a JSON array). */
export function parseFrame(text: string): unknown[] | RunwareError {
  let parsed: unknown;
  try {
    parsed = parseRunwareJson(text);
  } catch {
    return runwareError('invalidJson', 'The frame is not valid JSON.');
  }
  if (Array.isArray(parsed) && parsed.length > 0) return parsed;
  return runwareError('invalidTaskFormat', 'A frame must be a non-empty JSON array of task objects.');
}

export type TaskLike = { taskType?: unknown; taskUUID?: unknown; [key: string]: unknown };

export function asTask(value: unknown): TaskLike {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as TaskLike) : {};
}

/** The taskType and taskUUID of a task as sent, for errors that must name them (when they are strings). */
export function contextOf(value: unknown, fallbackType?: string): Partial<RunwareError> {
  const task = asTask(value);
  const taskType = typeof task.taskType === 'string' ? task.taskType : fallbackType;
  return {
    ...(taskType !== undefined ? { taskType } : {}),
    ...(typeof task.taskUUID === 'string' ? { taskUUID: task.taskUUID } : {}),
  };
}

/** One error per task of a refused frame, each naming its task, so the client's waiter for it ends. */
export function errorsForEach(tasks: readonly unknown[], error: RunwareError): RunwareError[] {
  return tasks.map((task) => ({ ...error, ...contextOf(task) }));
}
