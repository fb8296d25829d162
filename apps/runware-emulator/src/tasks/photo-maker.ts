import { randomInt } from 'node:crypto';
import {
  imageInferenceTaskSchema,
  normalizePhotoMaker,
  type PhotoMakerJobTask,
  type PhotoMakerTaskType,
  photoMakerTaskSchema,
  validateWith,
} from '@photomaker/schema';
import { generationMs } from '../config/latency.ts';
import type { CallContext, EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { planSlots } from '../generation/generation-runner.ts';
import type { StoredImage } from '../images/image-store.ts';
import {
  capacityExceeded,
  failure,
  insufficientCredits,
  invalidParameter,
  type TaskFailure,
} from '../protocol/errors.ts';
import { collectSlots, failed, succeeded, type TaskOutcome } from '../protocol/outcome.ts';
import { generationCostNano, nanoToUsd } from '../state/cost.ts';
import { newTaskRecord, type TaskRecord } from '../state/task-registry.ts';
import { refuseKnownTaskUUID } from './known-task-uuid.ts';

/** Well-known AIRs that are not SDXL: PhotoMaker cannot run on them. */
const NOT_SDXL: Record<string, string> = {
  'runware:100@1': 'FLUX.1 [schnell]',
  'runware:101@1': 'FLUX.1 [dev]',
  'runware:97@1': 'FLUX.1 [dev] fill',
};

/** Older clients send `outputType: ["URL"]`; Runware accepted that form. */
function normalizeLegacyForms(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const record = raw as Record<string, unknown>;
  if (Array.isArray(record.outputType) && record.outputType.length === 1) {
    return { ...record, outputType: record.outputType[0] };
  }
  return raw;
}

/** A random seed when none is given: 32-bit, as Runware does. */
function randomSeed(): string {
  return String(randomInt(1, 2 ** 32));
}

export interface PhotoMakerHooks {
  /** Called synchronously once the task is registered, before any generation runs (WS sync delivery). */
  onAccepted?: (record: TaskRecord) => void;
}

export type Scope = { taskType: PhotoMakerTaskType; taskUUID: string };

/**
 * The shared schema's verdict on a task, after the legacy forms are rewritten: the standalone task, or
 * imageInference with a nested photoMaker (same rules; parsed to the same parameters, its taskType kept).
 */
export function validatePhotoMaker(
  raw: unknown,
): { ok: true; task: PhotoMakerJobTask } | { ok: false; errors: TaskFailure[] } {
  const input = normalizeLegacyForms(raw) as { taskType?: unknown; taskUUID?: unknown };
  const taskUUID = typeof input.taskUUID === 'string' ? input.taskUUID : undefined;
  const checked =
    input.taskType === 'imageInference'
      ? validateWith(imageInferenceTaskSchema, input, { taskType: 'imageInference', taskUUID })
      : validateWith(photoMakerTaskSchema, input, { taskType: 'photoMaker', taskUUID });
  if (!checked.ok) return { ok: false, errors: checked.errors.map((error) => failure(error)) };
  return { ok: true, task: normalizePhotoMaker(checked.value) };
}

export function notSdxlModel(task: PhotoMakerJobTask, scope: Scope): TaskFailure | undefined {
  const notSdxl = NOT_SDXL[task.model];
  if (!notSdxl) return undefined;
  return invalidParameter(
    scope,
    'model',
    `Invalid value for 'model': PhotoMaker requires an SDXL-based model, and ${task.model} is ${notSdxl}.`,
  );
}

/** Every input image, in order; the first one that cannot be resolved refuses the task. */
async function resolveInputs(
  ctx: EmulatorContext,
  task: PhotoMakerJobTask,
  scope: Scope,
): Promise<{ ok: true; inputs: StoredImage[] } | { ok: false; error: TaskFailure }> {
  const inputs: StoredImage[] = [];
  for (const [index, value] of task.inputImages.entries()) {
    const resolved = await ctx.inputs.resolve(value);
    if (!resolved.ok) {
      const message = `Invalid value for 'inputImages': inputImages[${index}] ${resolved.reason}.`;
      const error =
        resolved.code === 'download'
          ? invalidParameter(scope, 'inputImages', message, 'downloadFailed')
          : invalidParameter(scope, 'inputImages', message);
      return { ok: false, error };
    }
    inputs.push(resolved.image);
  }
  return { ok: true, inputs };
}

/** Reserves the whole cost (402 when the balance is short), then the key's capacity (429/503). */
function admit(
  ctx: EmulatorContext,
  task: PhotoMakerJobTask,
  capacityKey: string,
  scope: Scope,
): TaskFailure | undefined {
  const total = generationCostNano(task) * task.numberResults;
  if (!ctx.ledger.reserve(total)) {
    return insufficientCredits(scope, nanoToUsd(total), nanoToUsd(Math.max(0, ctx.ledger.availableNano())));
  }
  if (!ctx.capacity.tryAcquire(capacityKey, task.numberResults)) {
    ctx.ledger.release(total);
    return capacityExceeded(scope, ctx.capacityStatus, ctx.faults.retryAfterSeconds);
  }
  return undefined;
}

/** Longer strings are inline image data (data URIs, base64): the archive keeps only their size. */
const ARCHIVED_STRING_MAX = 2048;

/** The task as sent, for getTaskDetails, with inline image data replaced by `<N chars of image data>`. */
function archivedRequest(raw: unknown): Record<string, unknown> {
  const replacer = (_key: string, value: unknown) =>
    typeof value === 'string' && value.length > ARCHIVED_STRING_MAX
      ? `<${value.length} chars of image data>`
      : value;
  return JSON.parse(JSON.stringify(raw, replacer)) as Record<string, unknown>;
}

/** The registry record of an accepted task and the function that settles its `done`. */
function acceptedRecord(
  ctx: EmulatorContext,
  task: PhotoMakerJobTask,
  raw: unknown,
  call: CallContext,
  faults: TaskFaults,
): { record: TaskRecord; settle: () => void } {
  const seed = task.seed ?? randomSeed();
  let settle: () => void = () => {};
  const record = newTaskRecord({
    taskUUID: task.taskUUID,
    taskType: task.taskType,
    keyIndex: call.keyIndex,
    transport: call.transport,
    deliveryMethod: task.deliveryMethod,
    numberResults: task.numberResults,
    slots: planSlots(
      seed,
      task.numberResults,
      generationMs(ctx.latency, task.steps, task.width, task.height),
    ),
    ...(task.webhookURL ? { webhookURL: task.webhookURL } : {}),
    request: archivedRequest(raw),
    faults,
    stuckPollsLeft: faults.stuckPolls ?? 0,
    invisiblePollsLeft: faults.invisiblePolls ?? 0,
    done: new Promise<void>((resolve) => {
      settle = resolve;
    }),
  });
  return { record, settle };
}

/** Async delivery, and webhook delivery, answer at once with the task; sync waits for the results. */
function acceptedAnswer(task: PhotoMakerJobTask, record: TaskRecord, faults: TaskFaults): TaskOutcome {
  if (task.deliveryMethod === 'async' || task.webhookURL) {
    return { ...succeeded([{ taskType: task.taskType, taskUUID: task.taskUUID }], faults), record };
  }
  return {
    data: [],
    errors: [],
    ok: true,
    faults,
    record,
    pending: record.done.then(() => collectSlots(record)),
  };
}

/**
 * A photoMaker task: validated with the shared schema, refused with conflictTaskUUID when the taskUUID
 * is known, inputs resolved (uploaded UUIDs, inline data, URLs), then the balance (402) and the key's
 * capacity (429/503) are checked; only then is it registered, reserved and started. Anything refused
 * before that point leaves no trace, so the client may send the same taskUUID again.
 */
export async function handlePhotoMaker(
  ctx: EmulatorContext,
  raw: unknown,
  call: CallContext,
  faults: TaskFaults,
  hooks: PhotoMakerHooks = {},
): Promise<TaskOutcome> {
  const checked = validatePhotoMaker(raw);
  if (!checked.ok) return failed(checked.errors, faults);
  const task = checked.task;
  const scope: Scope = { taskType: task.taskType, taskUUID: task.taskUUID };

  const early = refuseKnownTaskUUID(ctx, scope, faults);
  if (early) return early;
  const wrongModel = notSdxlModel(task, scope);
  if (wrongModel) return failed(wrongModel, faults);
  const resolved = await resolveInputs(ctx, task, scope);
  if (!resolved.ok) return failed(resolved.error, faults);
  // Input resolution awaited: another request may have taken the taskUUID meanwhile.
  const late = refuseKnownTaskUUID(ctx, scope, faults);
  if (late) return late;
  const capacityKey = String(call.keyIndex);
  const refused = admit(ctx, task, capacityKey, scope);
  if (refused) return failed(refused, faults);

  const { record, settle } = acceptedRecord(ctx, task, raw, call, faults);
  ctx.tasks.add(record);
  ctx.usage.request(task.model, call.keyIndex);
  hooks.onAccepted?.(record);
  void ctx.runner
    .start({
      record,
      task,
      inputs: resolved.inputs,
      faults,
      parallelism: ctx.latency.parallelism,
      capacityKey,
    })
    .finally(settle);
  ctx.logger.info(
    {
      taskUUID: task.taskUUID,
      transport: call.transport,
      numberResults: task.numberResults,
      size: `${task.width}x${task.height}`,
      style: task.style,
      deliveryMethod: task.deliveryMethod,
      form: task.taskType,
    },
    'photoMaker accepted',
  );
  return acceptedAnswer(task, record, faults);
}
