import type { EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { conflictTaskUUID } from '../protocol/errors.ts';
import { failed, type TaskOutcome } from '../protocol/outcome.ts';

/**
 * A taskUUID that is already registered: the earlier task counts one more submission and this one is
 * refused with conflictTaskUUID. Undefined when the UUID is free. Handlers ask before and again after
 * awaiting their inputs, since another request may take the UUID meanwhile.
 */
export function refuseKnownTaskUUID(
  ctx: EmulatorContext,
  scope: { taskType: string; taskUUID: string },
  faults: TaskFaults,
): TaskOutcome | undefined {
  const existing = ctx.tasks.get(scope.taskUUID);
  if (!existing) return undefined;
  existing.submissions += 1;
  return failed(conflictTaskUUID(scope), faults);
}
