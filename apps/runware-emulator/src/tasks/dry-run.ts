import type { EmulatorContext } from '../context.ts';
import type { TaskFaults } from '../faults/resolve-faults.ts';
import { conflictTaskUUID, invalidParameter, type TaskFailure } from '../protocol/errors.ts';
import { failed, succeeded, type TaskOutcome } from '../protocol/outcome.ts';
import { generationCostNano, nanoToUsd } from '../state/cost.ts';
import { checkImageUpload, imageRefused } from './image-upload.ts';
import { notSdxlModel, type Scope, validatePhotoMaker } from './photo-maker.ts';

/** The first input image that a real run would refuse, as that run's error. */
async function inputProblem(
  ctx: EmulatorContext,
  inputImages: readonly string[],
  scope: Scope,
): Promise<TaskFailure | undefined> {
  for (const [index, value] of inputImages.entries()) {
    const checked = await ctx.inputs.check(value);
    if (checked.ok) continue;
    const message = `Invalid value for 'inputImages': inputImages[${index}] ${checked.reason}.`;
    return checked.code === 'download'
      ? invalidParameter(scope, 'inputImages', message, 'downloadFailed')
      : invalidParameter(scope, 'inputImages', message);
  }
  return undefined;
}

/**
 * A PhotoMaker task (either form) in a dry run: every check a real submission makes (schema, a taskUUID
 * already accepted, SDXL model, input images), then its price instead of a run: one item
 * `{taskType, taskUUID, cost}` with the USD of all its `numberResults` images, from the same price
 * function the real results' `cost` uses. Nothing is registered, reserved, charged or stored, and the
 * balance is not checked (a dry run answers "what would it cost", not "can I afford it").
 */
export async function handlePhotoMakerDryRun(
  ctx: EmulatorContext,
  raw: unknown,
  faults: TaskFaults,
): Promise<TaskOutcome> {
  const checked = validatePhotoMaker(raw);
  if (!checked.ok) return failed(checked.errors, faults);
  const task = checked.task;
  const scope: Scope = { taskType: task.taskType, taskUUID: task.taskUUID };
  if (ctx.tasks.get(task.taskUUID)) return failed(conflictTaskUUID(scope), faults);
  const wrongModel = notSdxlModel(task, scope);
  if (wrongModel) return failed(wrongModel, faults);
  const badInput = await inputProblem(ctx, task.inputImages, scope);
  if (badInput) return failed(badInput, faults);
  ctx.tasks.dryRuns += 1;
  const cost = nanoToUsd(generationCostNano(task) * task.numberResults);
  return succeeded([{ taskType: task.taskType, taskUUID: task.taskUUID, cost }], faults);
}

/** imageUpload in a dry run: validated and its image checked, never stored; uploads are free (cost 0). */
export async function handleImageUploadDryRun(
  ctx: EmulatorContext,
  raw: unknown,
  faults: TaskFaults,
): Promise<TaskOutcome> {
  const checked = checkImageUpload(raw, faults);
  if ('refused' in checked) return checked.refused;
  const scope = { taskType: 'imageUpload', taskUUID: checked.task.taskUUID };
  if (ctx.tasks.get(scope.taskUUID)) return failed(conflictTaskUUID(scope), faults);
  const image = await ctx.inputs.check(checked.task.image);
  if (!image.ok) return imageRefused(scope, image, faults);
  ctx.tasks.dryRuns += 1;
  return succeeded([{ ...scope, cost: 0 }], faults);
}
