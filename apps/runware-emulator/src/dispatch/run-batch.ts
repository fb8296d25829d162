import { setTimeout as sleep } from 'node:timers/promises';
import { validateTask } from '@photomaker/schema';
import type { CallContext, EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { failure } from '../protocol/errors.ts';
import { failed, type TaskOutcome } from '../protocol/outcome.ts';
import type { TaskRecord } from '../state/task-registry.ts';
import { handleAccountManagement } from '../tasks/account-management.ts';
import { handleImageUploadDryRun, handlePhotoMakerDryRun } from '../tasks/dry-run.ts';
import { handleGetResponse } from '../tasks/get-response.ts';
import { handleGetTaskDetails } from '../tasks/get-task-details.ts';
import { handleImageUpload } from '../tasks/image-upload.ts';
import { handlePhotoMaker } from '../tasks/photo-maker.ts';
import { handlePing } from '../tasks/ping.ts';

export interface BatchHooks {
  /** An authentication task after the connection is authenticated (WS re-auth); REST ignores it. */
  onAuthentication?: (raw: unknown) => TaskOutcome;
  /** A sync photoMaker task was accepted: WS attaches its per-image push here. */
  onSyncAccepted?: (record: TaskRecord) => void;
}

export interface BatchResult {
  outcomes: TaskOutcome[];
  /** A connection reset the faults asked for. */
  reset?: 'beforeWork' | 'afterAccept' | 'midBody';
  slowBodyMs: number;
}

// Account reads are free and instant at Runware: no faults, no request latency.
const NO_FAULTS = new Set(['authentication', 'ping', 'accountManagement']);

function taskTypeOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const taskType = (raw as { taskType?: unknown }).taskType;
  return typeof taskType === 'string' ? taskType : undefined;
}

function taskUUIDOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const taskUUID = (raw as { taskUUID?: unknown }).taskUUID;
  return typeof taskUUID === 'string' ? taskUUID : undefined;
}

/**
 * One request (REST body or WS frame) of an authenticated caller: faults drawn per task, the request
 * latency, then each task in order. Results are matched to tasks by taskUUID, so one failing task never
 * hides the others' results.
 */
export async function runBatch(
  ctx: EmulatorContext,
  tasks: unknown[],
  call: CallContext,
  hooks: BatchHooks = {},
): Promise<BatchResult> {
  const drawn: TaskFaults[] = tasks.map((raw) => {
    const taskType = taskTypeOf(raw);
    if (taskType !== undefined) ctx.tasks.countTaskType(taskType);
    if (taskType === undefined || NO_FAULTS.has(taskType)) return {};
    return ctx.faults.draw({
      taskType,
      transport: call.transport,
      taskUUID: taskUUIDOf(raw),
      dryRun: call.dryRun,
    });
  });
  if (drawn.some((faults) => faults.reset === 'beforeWork')) {
    return { outcomes: [], reset: 'beforeWork', slowBodyMs: 0 };
  }
  const working = tasks.some((raw) => !NO_FAULTS.has(taskTypeOf(raw) ?? ''));
  if (working && ctx.latency.requestMs > 0) await sleep(ctx.latency.requestMs);

  const outcomes: TaskOutcome[] = [];
  for (const [index, raw] of tasks.entries()) {
    const faults = drawn[index] ?? {};
    outcomes.push(await runTask(ctx, raw, call, faults, hooks));
  }
  const resets = drawn.map((faults) => faults.reset).filter((reset) => reset !== undefined);
  const reset = resets.includes('afterAccept')
    ? 'afterAccept'
    : resets.includes('midBody')
      ? 'midBody'
      : undefined;
  const slowBodyMs = Math.max(0, ...drawn.map((faults) => faults.slowBodyMs ?? 0));
  return { outcomes, ...(reset ? { reset } : {}), slowBodyMs };
}

async function runTask(
  ctx: EmulatorContext,
  raw: unknown,
  call: CallContext,
  faults: TaskFaults,
  hooks: BatchHooks,
): Promise<TaskOutcome> {
  const taskType = taskTypeOf(raw);
  if (faults.error) {
    const { status, code, message, retryAfterSeconds } = faults.error;
    return failed(
      failure(
        {
          code,
          message,
          ...(taskType ? { taskType } : {}),
          ...(taskUUIDOf(raw) ? { taskUUID: taskUUIDOf(raw) } : {}),
          documentation: 'https://runware.ai/docs/platform/errors',
        },
        status,
        retryAfterSeconds,
      ),
      faults,
    );
  }
  switch (taskType) {
    case 'ping':
      return handlePing(raw);
    case 'authentication':
      return hooks.onAuthentication?.(raw) ?? { data: [], errors: [], ok: true, faults };
    case 'imageUpload':
      if (call.dryRun) return handleImageUploadDryRun(ctx, raw, faults);
      return handleImageUpload(ctx, raw, call, faults);
    case 'getResponse':
      return handleGetResponse(ctx, raw, faults);
    case 'getTaskDetails':
      return handleGetTaskDetails(ctx, raw, faults);
    case 'accountManagement':
      return handleAccountManagement(ctx, raw);
    // Runware's two forms of a PhotoMaker task: the standalone task and imageInference with photoMaker.
    case 'photoMaker':
    case 'imageInference':
      if (call.dryRun) return handlePhotoMakerDryRun(ctx, raw, faults);
      return handlePhotoMaker(ctx, raw, call, faults, {
        onAccepted: (record) => {
          if (record.deliveryMethod === 'sync' && !record.webhookURL) hooks.onSyncAccepted?.(record);
        },
      });
    default: {
      const checked = validateTask(raw);
      return failed(checked.ok ? [] : checked.errors.map((error) => failure(error)), faults);
    }
  }
}
