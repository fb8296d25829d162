import { z } from 'zod';
import { classifyImageInput } from '../photomaker/image-input.ts';
import { photoMakerTaskSchema } from '../photomaker/request.ts';
import type { RunwareError } from './error.ts';
import { type ImageInferenceWireTask, imageInferenceTaskSchema } from './image-inference.ts';
import { type ErrorContext, toRunwareErrors } from './validation-error.ts';

export const authenticationTaskSchema = z.object({
  taskType: z.literal('authentication'),
  apiKey: z.string().min(1),
  connectionSessionUUID: z.string().optional(),
});

export const pingTaskSchema = z.object({
  taskType: z.literal('ping'),
  ping: z.boolean().optional(),
  taskUUID: z.string().optional(),
});

/** imageUpload takes the inline/URL forms only (a UUID would already be uploaded). */
export const imageUploadTaskSchema = z.object({
  taskType: z.literal('imageUpload'),
  taskUUID: z.uuidv4(),
  image: z.string().superRefine((value, ctx) => {
    const result = classifyImageInput(value);
    if (!result.ok) ctx.addIssue({ code: 'custom', message: result.reason });
    else if (result.value.kind === 'uuid')
      ctx.addIssue({ code: 'custom', message: 'is a UUID; upload image data or a URL' });
  }),
});

/** Asks for the cumulative state of an earlier task: taskUUID is the original task's. */
export const getResponseTaskSchema = z.object({
  taskType: z.literal('getResponse'),
  taskUUID: z.uuidv4(),
});

/** Asks for an accepted task's archived request and its response so far (recovery, not polling). */
export const getTaskDetailsTaskSchema = z.object({
  taskType: z.literal('getTaskDetails'),
  taskUUID: z.uuidv4(),
});

export type AuthenticationTask = z.output<typeof authenticationTaskSchema>;
export type PingTask = z.output<typeof pingTaskSchema>;
export type ImageUploadTask = z.output<typeof imageUploadTaskSchema>;
export type GetResponseTask = z.output<typeof getResponseTaskSchema>;
export type PhotoMakerWireTask = z.output<typeof photoMakerTaskSchema>;
export type RunwareTask =
  | AuthenticationTask
  | PingTask
  | ImageUploadTask
  | GetResponseTask
  | PhotoMakerWireTask
  | ImageInferenceWireTask;

/** A task that starts a PhotoMaker job, in either of Runware's forms (the taskType says which). */
export type PhotoMakerJobTask = PhotoMakerWireTask | ImageInferenceWireTask;

export const TASK_SCHEMAS = {
  authentication: authenticationTaskSchema,
  ping: pingTaskSchema,
  imageUpload: imageUploadTaskSchema,
  getResponse: getResponseTaskSchema,
  photoMaker: photoMakerTaskSchema,
  imageInference: imageInferenceTaskSchema,
} as const;

/** The task types that start a PhotoMaker job: the standalone task and Runware's nested form. */
export const PHOTOMAKER_TASK_TYPES = ['photoMaker', 'imageInference'] as const;
export type PhotoMakerTaskType = (typeof PHOTOMAKER_TASK_TYPES)[number];

export function isPhotoMakerTaskType(value: unknown): value is PhotoMakerTaskType {
  return value === 'photoMaker' || value === 'imageInference';
}

export function isPhotoMakerJobTask(task: RunwareTask): task is PhotoMakerJobTask {
  return isPhotoMakerTaskType(task.taskType);
}

export type SupportedTaskType = keyof typeof TASK_SCHEMAS;

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: RunwareError[] };

/** Validate against one schema and report failures as Runware errors. */
export function validateWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  context: ErrorContext = {},
): Validation<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, errors: toRunwareErrors(result.error, input, context) };
}

/** Validate one element of a Runware task array, dispatching on its taskType. */
export function validateTask(input: unknown): Validation<RunwareTask> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return {
      ok: false,
      errors: [{ code: 'invalidTaskFormat', message: 'Each task must be a JSON object with a taskType.' }],
    };
  }
  const record = input as Record<string, unknown>;
  const taskType = record.taskType;
  const taskUUID = typeof record.taskUUID === 'string' ? record.taskUUID : undefined;
  // Own keys only: `constructor` or `__proto__` are in every object and are not task types.
  if (typeof taskType !== 'string' || !Object.hasOwn(TASK_SCHEMAS, taskType)) {
    const missing = taskType === undefined;
    return {
      ok: false,
      errors: [
        {
          code: missing ? 'missingTaskType' : 'unsupportedTaskType',
          message: missing
            ? "Missing required parameter 'taskType'."
            : `Unsupported taskType: it must be one of: ${Object.keys(TASK_SCHEMAS).join(', ')}.`,
          parameter: 'taskType',
          ...(taskUUID ? { taskUUID } : {}),
        },
      ],
    };
  }
  const schema = TASK_SCHEMAS[taskType as SupportedTaskType];
  return validateWith(schema as z.ZodType<RunwareTask>, input, { taskType, taskUUID });
}
