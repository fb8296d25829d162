import type { TaskFaults } from '../faults/resolve-faults.ts';
import type { GenerationSlot, TaskRecord } from '../state/task-registry.ts';
import { failure, type TaskFailure } from './errors.ts';

/** What one task of a batch produced. */
export interface TaskOutcome {
  data: unknown[];
  errors: TaskFailure[];
  /** The task itself was served (an answer with per-generation errors still counts). */
  ok: boolean;
  faults: TaskFaults;
  /** The task that was accepted (photoMaker, imageUpload). */
  record?: TaskRecord;
  /** REST sync delivery: the results, once every generation has finished. */
  pending?: Promise<TaskOutcome>;
}

export function failed(problem: TaskFailure | TaskFailure[], faults: TaskFaults = {}): TaskOutcome {
  return { data: [], errors: Array.isArray(problem) ? problem : [problem], ok: false, faults };
}

export function succeeded(data: unknown[], faults: TaskFaults = {}): TaskOutcome {
  return { data, errors: [], ok: true, faults };
}

/** The sync view of finished generations: successes as data, failures as errors, in index order. */
export function collectSlots(record: TaskRecord, slots: GenerationSlot[] = record.slots): TaskOutcome {
  const data: unknown[] = [];
  const errors: TaskFailure[] = [];
  for (const slot of slots) {
    if (slot.status === 'success' && slot.result) data.push(slot.result);
    else if (slot.status === 'error' && slot.error) errors.push(failure(slot.error));
  }
  return { data, errors, ok: data.length > 0, faults: record.faults, record };
}
