import { getResponseTaskSchema, validateWith } from '@photomaker/schema';
import type { EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { failure, type TaskFailure, taskNotFound } from '../protocol/errors.ts';
import { failed, type TaskOutcome } from '../protocol/outcome.ts';
import type { GenerationSlot, TaskRecord } from '../state/task-registry.ts';

function progress(slot: GenerationSlot, now: number): number {
  if (slot.startedAt === undefined || slot.expectedMs <= 0) return 0;
  return Math.min(99, Math.floor((100 * (now - slot.startedAt)) / slot.expectedMs));
}

function processingItem(record: TaskRecord, slot: GenerationSlot, now: number): Record<string, unknown> {
  return {
    taskType: record.taskType,
    taskUUID: record.taskUUID,
    status: 'processing',
    progress: progress(slot, now),
  };
}

/** Every generation of a task in index order: processing or success items, failed ones as errors. */
export function cumulativeState(
  record: TaskRecord,
  now = Date.now(),
): { data: Record<string, unknown>[]; errors: TaskFailure[] } {
  const data: Record<string, unknown>[] = [];
  const errors: TaskFailure[] = [];
  for (const slot of record.slots) {
    if (slot.status === 'processing') data.push(processingItem(record, slot, now));
    else if (slot.status === 'success' && slot.result) data.push({ ...slot.result, status: 'success' });
    else if (slot.error) errors.push(failure({ ...slot.error, status: 'error' }));
  }
  return { data, errors };
}

/**
 * getResponse: the full cumulative state of an earlier task on every poll, one item per generation in
 * index order (`processing` or `success` with its outputs); failed generations are in `errors` with
 * `status: "error"`. A `stuck` fault keeps every item `processing` for a number of polls.
 */
export function handleGetResponse(ctx: EmulatorContext, raw: unknown, faults: TaskFaults): TaskOutcome {
  const rawUUID = (raw as { taskUUID?: unknown }).taskUUID;
  const checked = validateWith(getResponseTaskSchema, raw, {
    taskType: 'getResponse',
    taskUUID: typeof rawUUID === 'string' ? rawUUID : undefined,
  });
  if (!checked.ok)
    return failed(
      checked.errors.map((error) => failure(error)),
      faults,
    );
  const record = ctx.tasks.get(checked.value.taskUUID);
  if (!record)
    return failed(taskNotFound({ taskType: 'getResponse', taskUUID: checked.value.taskUUID }), faults);
  record.polls += 1;
  if (record.invisiblePollsLeft > 0) {
    record.invisiblePollsLeft -= 1;
    return failed(taskNotFound({ taskType: 'getResponse', taskUUID: checked.value.taskUUID }), faults);
  }
  const now = Date.now();
  if (record.taskType === 'imageUpload' && record.result) {
    return { data: [{ ...record.result, status: 'success' }], errors: [], ok: true, faults };
  }
  if (record.stuckPollsLeft > 0) {
    record.stuckPollsLeft -= 1;
    return {
      data: record.slots.map((slot) => processingItem(record, slot, now)),
      errors: [],
      ok: true,
      faults,
    };
  }
  const { data, errors } = cumulativeState(record, now);
  return { data, errors, ok: true, faults };
}
