import { z } from 'zod';
import { photoMakerIdentity, photoMakerParamsShape } from '../photomaker/request.ts';

const { inputImages: _images, style: _style, strength: _strength, ...sharedParams } = photoMakerParamsShape;

/** Where an imageInference task carries PhotoMaker's reference images, in the order they are read. */
const imagesAt = (task: WireShape) =>
  [
    { path: ['photoMaker', 'images'], images: task.photoMaker.images },
    { path: ['inputs', 'referenceImages'], images: task.inputs?.referenceImages },
    { path: ['referenceImages'], images: task.referenceImages },
  ].filter((source) => source.images !== undefined);

const wireShape = z.object({
  taskType: z.literal('imageInference'),
  taskUUID: z.uuidv4(),
  /** Required: this platform runs PhotoMaker jobs, so an imageInference task without it is refused. */
  photoMaker: z.object({
    images: photoMakerIdentity.images.optional(),
    style: photoMakerIdentity.style,
    strength: photoMakerIdentity.strength,
  }),
  // Runware is moving media under `inputs.*`; the top-level form came first.
  inputs: z.object({ referenceImages: photoMakerIdentity.images.optional() }).optional(),
  referenceImages: photoMakerIdentity.images.optional(),
  ...sharedParams,
});
type WireShape = z.output<typeof wireShape>;

/**
 * Runware's current form of a PhotoMaker task: an SDXL `imageInference` task with a nested
 * `photoMaker: { images, style?, strength? }` (images also accepted in `inputs.referenceImages` or
 * `referenceImages`, once). Every rule and limit is the standalone task's (the same zod pieces); errors
 * name the path the client sent (`photoMaker.images`). The output is the standalone task's parameters
 * under `taskType: 'imageInference'`, so both forms map to the same job and the answer echoes the form.
 */
export const imageInferenceTaskSchema = wireShape
  .superRefine((task, ctx) => {
    const sources = imagesAt(task);
    if (sources.length === 0)
      ctx.addIssue({ code: 'custom', path: ['photoMaker', 'images'], message: 'is missing' });
    for (const extra of sources.slice(1))
      ctx.addIssue({ code: 'custom', path: extra.path, message: 'repeats the reference images' });
  })
  .transform((task) => {
    const { photoMaker, inputs: _inputs, referenceImages: _references, ...rest } = task;
    // superRefine has made sure there is exactly one source.
    const images = imagesAt(task)[0]?.images ?? [];
    return { ...rest, inputImages: images, style: photoMaker.style, strength: photoMaker.strength };
  });

export type ImageInferenceTaskInput = z.input<typeof imageInferenceTaskSchema>;
export type ImageInferenceWireTask = z.output<typeof imageInferenceTaskSchema>;

/**
 * The nested wire form of a standalone photoMaker task: what a client sends Runware when it speaks the
 * current schema. Pure rearrangement (the parameters were validated as the standalone task).
 */
export function toNestedPhotoMaker<
  T extends { inputImages: readonly string[]; style?: unknown; strength?: unknown },
>(
  task: T & { taskType?: string },
): Omit<T, 'inputImages' | 'style' | 'strength' | 'taskType'> & {
  taskType: 'imageInference';
  photoMaker: { images: string[]; style?: T['style']; strength?: T['strength'] };
} {
  const { inputImages, style, strength, taskType: _taskType, ...rest } = task;
  return {
    ...rest,
    taskType: 'imageInference',
    photoMaker: {
      images: [...inputImages],
      ...(style !== undefined ? { style } : {}),
      ...(strength !== undefined ? { strength } : {}),
    },
  };
}
