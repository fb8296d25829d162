import { isPhotoMakerTaskType, toNestedPhotoMaker } from '@photomaker/schema';
import type { RunwareItem } from './envelope.ts';

/**
 * How a PhotoMaker task goes to Runware: `task`, the documented standalone `photoMaker` task, or
 * `nested`, an SDXL `imageInference` task with a `photoMaker: { images, style, strength }` object (the
 * current schema; apps/api/README.md, "Two task forms, one job"). Results are the same either way; only
 * the echoed taskType differs.
 */
export const PHOTOMAKER_FORMS = ['task', 'nested'] as const;
export type PhotoMakerForm = (typeof PHOTOMAKER_FORMS)[number];

/** The wire body of a (validated, standalone-shaped) photoMaker task in the chosen form. */
export function inForm(task: Record<string, unknown>, form: PhotoMakerForm): Record<string, unknown> {
  if (form === 'task') return task;
  return toNestedPhotoMaker(task as Record<string, unknown> & { inputImages: string[] });
}

/** A result item of a PhotoMaker task, in whichever form it was sent. */
export function isPhotoMakerItem(item: RunwareItem): boolean {
  return isPhotoMakerTaskType(item.taskType);
}
