import { getTaskDetailsTaskSchema, validateWith } from '@photomaker/schema';
import type { EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { failure, taskNotFound } from '../protocol/errors.ts';
import { failed, succeeded, type TaskOutcome } from '../protocol/outcome.ts';
import { cumulativeState } from './get-response.ts';

/**
 * getTaskDetails: the archived original `request` (the task array as sent) and the `response` as it
 * stands (`{data, errors}`, getResponse's cumulative view) of an accepted task, by its taskUUID; an
 * unknown one is `taskNotFound`. Unlike getResponse it never reports a `stuck` fault's fake state nor an
 * `invisible` fault's taskNotFound: it is the record a client recovers from after a crash or an
 * ambiguous submit, where taskNotFound means "never accepted, safe to send".
 */
export function handleGetTaskDetails(ctx: EmulatorContext, raw: unknown, faults: TaskFaults): TaskOutcome {
  const rawUUID = (raw as { taskUUID?: unknown }).taskUUID;
  const checked = validateWith(getTaskDetailsTaskSchema, raw, {
    taskType: 'getTaskDetails',
    taskUUID: typeof rawUUID === 'string' ? rawUUID : undefined,
  });
  if (!checked.ok)
    return failed(
      checked.errors.map((error) => failure(error)),
      faults,
    );
  const taskUUID = checked.value.taskUUID;
  const record = ctx.tasks.get(taskUUID);
  if (!record) return failed(taskNotFound({ taskType: 'getTaskDetails', taskUUID }), faults);
  const response =
    record.taskType === 'imageUpload'
      ? { data: record.result ? [{ ...record.result, status: 'success' }] : [], errors: [] }
      : cumulativeState(record);
  return succeeded(
    [
      {
        taskType: 'getTaskDetails',
        taskUUID: record.taskUUID,
        request: record.request ? [record.request] : [],
        response: {
          data: response.data,
          errors: response.errors.map((error) => error.error),
        },
      },
    ],
    faults,
  );
}
