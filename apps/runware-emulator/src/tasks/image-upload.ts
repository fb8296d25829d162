import { type ImageUploadTask, imageUploadTaskSchema, validateWith } from '@photomaker/schema';
import type { CallContext, EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { failure, invalidParameter } from '../protocol/errors.ts';
import { failed, succeeded, type TaskOutcome } from '../protocol/outcome.ts';
import { newTaskRecord } from '../state/task-registry.ts';
import { refuseKnownTaskUUID } from './known-task-uuid.ts';

/** The imageUpload task, validated; or its refusal naming the fields (shared by the dry run). */
export function checkImageUpload(
  raw: unknown,
  faults: TaskFaults,
): { task: ImageUploadTask } | { refused: TaskOutcome } {
  const rawUUID = (raw as { taskUUID?: unknown }).taskUUID;
  const checked = validateWith(imageUploadTaskSchema, raw, {
    taskType: 'imageUpload',
    taskUUID: typeof rawUUID === 'string' ? rawUUID : undefined,
  });
  if (checked.ok) return { task: checked.value };
  return {
    refused: failed(
      checked.errors.map((error) => failure(error)),
      faults,
    ),
  };
}

/** An `image` the emulator could not take: a failed download, or bytes that are not an image it reads. */
export function imageRefused(
  scope: { taskType: string; taskUUID: string },
  problem: { code?: string; reason: string },
  faults: TaskFaults,
): TaskOutcome {
  const message = `Invalid value for 'image': it ${problem.reason}.`;
  return failed(
    problem.code === 'download'
      ? invalidParameter(scope, 'image', message, 'downloadFailed')
      : invalidParameter(scope, 'image', message),
    faults,
  );
}

/**
 * imageUpload: stores a data URI, raw base64 or URL image (at most 2048 px on the longest side) and
 * answers with its imageUUID and URL. The UUID works in `inputImages`. Free of charge, like Runware.
 */
export async function handleImageUpload(
  ctx: EmulatorContext,
  raw: unknown,
  call: CallContext,
  faults: TaskFaults,
): Promise<TaskOutcome> {
  const checked = checkImageUpload(raw, faults);
  if ('refused' in checked) return checked.refused;
  const { task } = checked;
  const scope = { taskType: 'imageUpload', taskUUID: task.taskUUID };
  const early = refuseKnownTaskUUID(ctx, scope, faults);
  if (early) return early;

  const resolved = await ctx.inputs.resolve(task.image);
  if (!resolved.ok) return imageRefused(scope, resolved, faults);
  // Input resolution awaited: another request may have taken the taskUUID meanwhile.
  const late = refuseKnownTaskUUID(ctx, scope, faults);
  if (late) return late;

  const image = resolved.image;
  const result = {
    taskType: 'imageUpload',
    taskUUID: task.taskUUID,
    imageUUID: image.uuid,
    imageURL: `${ctx.publicUrl()}/images/${image.uuid}.${image.ext}`,
  };
  const now = Date.now();
  const record = newTaskRecord({
    taskUUID: task.taskUUID,
    taskType: 'imageUpload',
    keyIndex: call.keyIndex,
    transport: call.transport,
    deliveryMethod: 'sync',
    acceptedAt: now,
    finishedAt: now,
    numberResults: 1,
    slots: [],
    result,
    faults,
    done: Promise.resolve(),
  });
  ctx.tasks.add(record);
  return { ...succeeded([result], faults), record };
}
