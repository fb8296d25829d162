import type { RunwareError } from '@photomaker/schema';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { nanoToUsd } from './cost.ts';

type SlotStatus = 'processing' | 'success' | 'error';

/** One generation of a photoMaker task (one of its numberResults). */
export interface GenerationSlot {
  index: number;
  seed: string;
  status: SlotStatus;
  /** Epoch ms the generation started working (for `progress`), and how long it is expected to take. */
  startedAt?: number;
  expectedMs: number;
  result?: Record<string, unknown>;
  error?: RunwareError;
}

export interface DeliveryStats {
  attempts: number;
  delivered: number;
  failed: number;
  dropped: number;
}

export type TaskEvent = { kind: 'slot'; slot: GenerationSlot } | { kind: 'done' };

export interface TaskRecord {
  taskUUID: string;
  /** A PhotoMaker task keeps the form it came in (photoMaker or imageInference): answers echo it. */
  taskType: 'photoMaker' | 'imageInference' | 'imageUpload';
  /** Index of the API key in the configured list: never the key itself. */
  keyIndex: number;
  transport: 'rest' | 'ws';
  deliveryMethod: 'sync' | 'async';
  acceptedAt: number;
  finishedAt?: number;
  /** 1 + every later attempt to submit the same taskUUID (each answered conflictTaskUUID). */
  submissions: number;
  numberResults: number;
  /** Generations that were run (rendered or failed), generations charged, total charged (nano-USD). */
  generations: number;
  charges: number;
  costNano: number;
  slots: GenerationSlot[];
  /** imageUpload: its one result. */
  result?: Record<string, unknown>;
  /** The task as it was sent (getTaskDetails archives it): its inline image data replaced by a note. */
  request?: Record<string, unknown>;
  webhookURL?: string;
  /** Faults drawn for this task when it was accepted (generation errors, webhook, duplicates...). */
  faults: TaskFaults;
  stuckPollsLeft: number;
  /** Polls still answered `taskNotFound` (the `invisible` fault). */
  invisiblePollsLeft: number;
  polls: number;
  webhook: DeliveryStats;
  upload: DeliveryStats;
  cancelled: boolean;
  listeners: Set<(event: TaskEvent) => void>;
  /** Settles when every generation has finished (success or error). */
  done: Promise<void>;
}

export type TaskStatus = 'processing' | 'success' | 'error' | 'partial';

function taskStatus(record: TaskRecord): TaskStatus {
  if (record.taskType === 'imageUpload') return 'success';
  if (record.slots.some((slot) => slot.status === 'processing')) return 'processing';
  const errors = record.slots.filter((slot) => slot.status === 'error').length;
  if (errors === 0) return 'success';
  return errors === record.slots.length ? 'error' : 'partial';
}

function emptyStats(): DeliveryStats {
  return { attempts: 0, delivered: 0, failed: 0, dropped: 0 };
}

/** What a handler decides about a task it accepts; the rest of its record starts at zero. */
export type AcceptedTask = Pick<
  TaskRecord,
  | 'taskUUID'
  | 'taskType'
  | 'keyIndex'
  | 'transport'
  | 'deliveryMethod'
  | 'numberResults'
  | 'slots'
  | 'faults'
  | 'done'
> &
  Partial<
    Pick<
      TaskRecord,
      | 'acceptedAt'
      | 'finishedAt'
      | 'result'
      | 'request'
      | 'webhookURL'
      | 'stuckPollsLeft'
      | 'invisiblePollsLeft'
    >
  >;

/** The record of a task just accepted: one submission, nothing run, charged, polled or delivered yet. */
export function newTaskRecord(task: AcceptedTask): TaskRecord {
  return {
    acceptedAt: Date.now(),
    submissions: 1,
    generations: 0,
    charges: 0,
    costNano: 0,
    stuckPollsLeft: 0,
    invisiblePollsLeft: 0,
    polls: 0,
    webhook: emptyStats(),
    upload: emptyStats(),
    cancelled: false,
    listeners: new Set(),
    ...task,
  };
}

export function emit(record: TaskRecord, event: TaskEvent): void {
  for (const listener of record.listeners) listener(event);
}

/** Every accepted task by taskUUID (conflict detection, getResponse, inspection) and task type counts. */
export class TaskRegistry {
  private readonly tasks = new Map<string, TaskRecord>();
  readonly taskTypes = new Map<string, number>();
  /** Dry-run tasks priced (X-Runware-Dry-Run): never registered, run or charged. */
  dryRuns = 0;

  get(taskUUID: string): TaskRecord | undefined {
    return this.tasks.get(taskUUID.toLowerCase());
  }

  /** Registers a task unless its taskUUID is taken; false means conflict. */
  add(record: TaskRecord): boolean {
    const key = record.taskUUID.toLowerCase();
    if (this.tasks.has(key)) return false;
    this.tasks.set(key, record);
    return true;
  }

  countTaskType(taskType: string): void {
    this.taskTypes.set(taskType, (this.taskTypes.get(taskType) ?? 0) + 1);
  }

  all(): IterableIterator<TaskRecord> {
    return this.tasks.values();
  }

  /** Forgets finished tasks older than `retentionMs`. */
  sweep(retentionMs: number, now = Date.now()): void {
    for (const [key, record] of this.tasks) {
      if (record.finishedAt !== undefined && now - record.finishedAt > retentionMs) this.tasks.delete(key);
    }
  }

  clear(): void {
    for (const record of this.tasks.values()) record.cancelled = true;
    this.tasks.clear();
    this.taskTypes.clear();
    this.dryRuns = 0;
  }
}

/** The inspection view of one task (GET /admin/inspect/tasks/:uuid). */
export function inspectTask(record: TaskRecord): Record<string, unknown> {
  return {
    taskType: record.taskType,
    submissions: record.submissions,
    generations: record.generations,
    charges: record.charges,
    cost: nanoToUsd(record.costNano),
    status: taskStatus(record),
    numberResults: record.numberResults,
    deliveryMethod: record.deliveryMethod,
    transport: record.transport,
    polls: record.polls,
    acceptedAt: new Date(record.acceptedAt).toISOString(),
    ...(record.finishedAt ? { finishedAt: new Date(record.finishedAt).toISOString() } : {}),
    images: record.slots.map((slot) => ({
      index: slot.index,
      seed: slot.seed,
      status: slot.status,
      ...(slot.result?.imageUUID ? { imageUUID: slot.result.imageUUID } : {}),
      ...(slot.error ? { code: slot.error.code } : {}),
    })),
    webhook: record.webhook,
    upload: record.upload,
  };
}
