import type { PhotoMakerJobTask } from '@photomaker/schema';
import { nanoToUsd } from '../state/cost.ts';

export interface SlotResultInput {
  task: Pick<PhotoMakerJobTask, 'taskType' | 'taskUUID' | 'outputType' | 'includeCost'>;
  image: { uuid: string; ext: string; bytes: Buffer; mediaType: string };
  inputImageUUIDs: string[];
  seed: string;
  /** The NSFW verdict; undefined when the task asked for no safety check (then it is not reported). */
  flagged: boolean | undefined;
  costNano: number;
  /** Base of image URLs, e.g. http://127.0.0.1:8787. */
  publicUrl: string;
}

/** The result item of one successful generation, in the task's `outputType`, echoing its taskType. */
export function slotResult(input: SlotResultInput): Record<string, unknown> {
  const { task, image } = input;
  const result: Record<string, unknown> = {
    taskType: task.taskType,
    taskUUID: task.taskUUID,
    imageUUID: image.uuid,
  };
  if (task.outputType === 'URL') result.imageURL = `${input.publicUrl}/images/${image.uuid}.${image.ext}`;
  else if (task.outputType === 'base64Data') result.imageBase64Data = image.bytes.toString('base64');
  else result.imageDataURI = `data:${image.mediaType};base64,${image.bytes.toString('base64')}`;
  result.inputImagesUUID = input.inputImageUUIDs;
  result.seed = input.seed;
  if (input.flagged !== undefined) result.NSFWContent = input.flagged;
  if (task.includeCost) result.cost = nanoToUsd(input.costNano);
  return result;
}
