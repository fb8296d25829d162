import { randomInt } from 'node:crypto';
import {
  normalizePhotoMaker,
  type PhotoMakerTask,
  photoMakerTaskSchema,
  validateWith,
} from '@photomaker/schema';
import { generationMs } from '../config/latency.ts';
import type { CallContext, EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/fault-injector.ts';
import { planSlots } from '../generation/generation-runner.ts';
import type { StoredImage } from '../images/image-store.ts';
import {
  capacityExceeded,
  conflictTaskUUID,
  failure,
  insufficientCredits,
  invalidParameter,
} from '../protocol/errors.ts';
import { collectSlots, failed, succeeded, type TaskOutcome } from '../protocol/outcome.ts';
import { generationCostNano, nanoToUsd } from '../state/cost.ts';
import { emptyStats, type TaskRecord } from '../state/task-registry.ts';

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
  const input = normalizeLegacyForms(raw);
  const rawUUID = (input as { taskUUID?: unknown }).taskUUID;
  const scopeUUID = typeof rawUUID === 'string' ? rawUUID : undefined;
  const checked = validateWith(photoMakerTaskSchema, input, { taskType: 'photoMaker', taskUUID: scopeUUID });
  if (!checked.ok)
    return failed(
      checked.errors.map((error) => failure(error)),
      faults,
    );
  const task: PhotoMakerTask = normalizePhotoMaker(checked.value);
  const scope = { taskType: 'photoMaker', taskUUID: task.taskUUID };

  const conflict = () => {
    const existing = ctx.tasks.get(task.taskUUID);
    if (!existing) return undefined;
    existing.submissions += 1;
    return failed(conflictTaskUUID(scope), faults);
  };
  const early = conflict();
  if (early) return early;

  const notSdxl = NOT_SDXL[task.model];
  if (notSdxl) {
    return failed(
      invalidParameter(
        scope,
        'model',
        `Invalid value for 'model': PhotoMaker requires an SDXL-based model, and ${task.model} is ${notSdxl}.`,
      ),
      faults,
    );
  }

  const inputs: StoredImage[] = [];
  for (const [index, value] of task.inputImages.entries()) {
    const resolved = await ctx.inputs.resolve(value);
    if (!resolved.ok) {
      const message = `Invalid value for 'inputImages': inputImages[${index}] ${resolved.reason}.`;
      return failed(
        resolved.code === 'download'
          ? invalidParameter(scope, 'inputImages', message, 'downloadFailed')
          : invalidParameter(scope, 'inputImages', message),
        faults,
      );
    }
    inputs.push(resolved.image);
  }
  // Input resolution awaited: another request may have taken the taskUUID meanwhile.
  const late = conflict();
  if (late) return late;

  const perImage = generationCostNano(task.width, task.height, task.steps);
  const total = perImage * task.numberResults;
  if (!ctx.ledger.reserve(total)) {
    return failed(
      insufficientCredits(scope, nanoToUsd(total), nanoToUsd(Math.max(0, ctx.ledger.availableNano()))),
      faults,
    );
  }
  const capacityKey = String(call.keyIndex);
  if (!ctx.capacity.tryAcquire(capacityKey, task.numberResults)) {
    ctx.ledger.release(total);
    return failed(capacityExceeded(scope, ctx.capacityStatus, ctx.faults.retryAfterSeconds), faults);
  }

  const seed = task.seed ?? randomSeed();
  const latency = ctx.latency;
  let resolveDone: () => void = () => {};
  const record: TaskRecord = {
    taskUUID: task.taskUUID,
    taskType: 'photoMaker',
    keyIndex: call.keyIndex,
    transport: call.transport,
    deliveryMethod: task.deliveryMethod,
    acceptedAt: Date.now(),
    submissions: 1,
    numberResults: task.numberResults,
    generations: 0,
    charges: 0,
    costNano: 0,
    slots: planSlots(seed, task.numberResults, generationMs(latency, task.steps, task.width, task.height)),
    ...(task.webhookURL ? { webhookURL: task.webhookURL } : {}),
    faults,
    stuckPollsLeft: faults.stuckPolls ?? 0,
    polls: 0,
    webhook: emptyStats(),
    upload: emptyStats(),
    cancelled: false,
    listeners: new Set(),
    done: new Promise<void>((resolve) => {
      resolveDone = resolve;
    }),
  };
  ctx.tasks.add(record);
  hooks.onAccepted?.(record);
  void ctx.runner
    .start({ record, task, inputs, faults, parallelism: latency.parallelism, capacityKey })
    .finally(resolveDone);
  ctx.logger.info(
    {
      taskUUID: task.taskUUID,
      transport: call.transport,
      numberResults: task.numberResults,
      size: `${task.width}x${task.height}`,
      style: task.style,
      deliveryMethod: task.deliveryMethod,
    },
    'photoMaker accepted',
  );

  // Async delivery, and webhook delivery, answer at once with the task; results come later.
  if (task.deliveryMethod === 'async' || task.webhookURL) {
    return { ...succeeded([{ taskType: 'photoMaker', taskUUID: task.taskUUID }], faults), record };
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
