import { z } from 'zod';
import { seedOutputSchema } from '../photomaker/seed.ts';
import { runwareErrorSchema } from './error.ts';
import { PHOTOMAKER_TASK_TYPES } from './tasks.ts';

/** One finished image of a PhotoMaker task, of either form (the taskType echoes the one sent). */
export const photoMakerResultSchema = z.looseObject({
  taskType: z.enum(PHOTOMAKER_TASK_TYPES),
  taskUUID: z.string(),
  imageUUID: z.string(),
  imageURL: z.string().optional(),
  imageBase64Data: z.string().optional(),
  imageDataURI: z.string().optional(),
  inputImagesUUID: z.array(z.string()).optional(),
  seed: seedOutputSchema,
  NSFWContent: z.boolean().optional(),
  cost: z.number().optional(),
});
export type PhotoMakerResult = z.output<typeof photoMakerResultSchema>;

export const imageUploadResultSchema = z.looseObject({
  taskType: z.literal('imageUpload'),
  taskUUID: z.string(),
  imageUUID: z.string(),
  imageURL: z.string().optional(),
});
export type ImageUploadResult = z.output<typeof imageUploadResultSchema>;

export const authenticationResultSchema = z.looseObject({
  taskType: z.literal('authentication'),
  connectionSessionUUID: z.string(),
});

export const pongResultSchema = z.looseObject({ taskType: z.literal('ping'), pong: z.literal(true) });

/** What async delivery (and webhook delivery) answers at once: the task, no outputs yet. */
export const asyncAckSchema = z.looseObject({ taskType: z.string(), taskUUID: z.string() });

export const GET_RESPONSE_STATUSES = ['processing', 'success', 'error'] as const;
export type GetResponseStatus = (typeof GET_RESPONSE_STATUSES)[number];

export const processingItemSchema = z.looseObject({
  taskType: z.string(),
  taskUUID: z.string(),
  status: z.literal('processing'),
  progress: z.number().min(0).max(100).optional(),
});

export const photoMakerSuccessItemSchema = photoMakerResultSchema.extend({ status: z.literal('success') });

/** getResponse: one item per generation, in stable order, each processing | success (errors apart). */
export const getResponseItemSchema = z.discriminatedUnion('status', [
  processingItemSchema,
  photoMakerSuccessItemSchema,
]);
export type GetResponseItem = z.output<typeof getResponseItemSchema>;

export const getResponseErrorSchema = runwareErrorSchema.extend({ status: z.literal('error').optional() });

/** Every Runware response body: `data` and/or `errors` (a response may carry both). */
export const runwareEnvelopeSchema = z.looseObject({
  data: z.array(z.unknown()).optional(),
  errors: z.array(runwareErrorSchema).optional(),
  // The TS SDK reports servers sometimes send a singular `error` (object or array); accept it.
  error: z.union([runwareErrorSchema, z.array(runwareErrorSchema)]).optional(),
});
export type RunwareEnvelope = z.output<typeof runwareEnvelopeSchema>;
