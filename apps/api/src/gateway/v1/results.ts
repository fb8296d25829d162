import type { BlobStore } from '@photomaker/blobstore';
import {
  type ErrorContext,
  type JobImage,
  type JobState,
  type PhotoMakerTaskType,
  type RunwareError,
  reportsNsfw,
} from '@photomaker/schema';
import type { ImageUrls } from '../../http/image-urls.ts';
import { type LimitRefusal, limitMessage } from '../../jobs/usage-ledger.ts';

export type Item = Record<string, unknown>;

/** What one task of a batch answers: items for `data`, errors for `errors`. */
export interface TaskOutcome {
  data: Item[];
  errors: RunwareError[];
}

const DOCS = 'https://runware.ai/docs/platform/errors';

export function runwareError(code: string, message: string, extra: Partial<RunwareError> = {}): RunwareError {
  return { code, message, documentation: DOCS, ...extra };
}

/** Our Runware-style input errors with the task's type and UUID, and a documentation link. */
export function inputErrors(errors: RunwareError[], context: ErrorContext): RunwareError[] {
  return errors.map((e) => ({ ...e, ...withContext(context), documentation: e.documentation ?? DOCS }));
}

export function withContext(context: ErrorContext): Partial<RunwareError> {
  return {
    ...(context.taskType ? { taskType: context.taskType } : {}),
    ...(context.taskUUID ? { taskUUID: context.taskUUID } : {}),
  };
}

/**
 * A limit refusal as a Runware error: `rateLimitExceeded` (429) for windows and slots, `quotaExceeded`
 * (402 by Runware's mapping; /v1 answers 429 for both, see routes.ts) with the limit and the count.
 */
export function limitError(refusal: LimitRefusal, context: ErrorContext = {}): RunwareError {
  const code = refusal.code === 'RATE_LIMITED' ? 'rateLimitExceeded' : 'quotaExceeded';
  return runwareError(code, limitMessage(refusal), {
    ...withContext(context),
    limitName: refusal.limitName,
    limit: refusal.limit,
    current: refusal.current,
    retryAfter: refusal.retryAfterSeconds,
  });
}

/** A failed or cancelled job as Runware reports a failed task of the form the client sent. */
export function jobError(
  state: JobState,
  taskUUID: string,
  status?: 'error',
  taskType: PhotoMakerTaskType = 'photoMaker',
): RunwareError {
  const failure: { code: string; message: string; parameter?: string | undefined } = state.error ?? {
    code: state.status === 'CANCELLED' ? 'taskCancelled' : 'taskFailed',
    message: state.status === 'CANCELLED' ? 'The task was cancelled.' : 'The task failed.',
  };
  return runwareError(failure.code, failure.message, {
    taskType,
    taskUUID,
    ...(failure.parameter ? { parameter: failure.parameter } : {}),
    ...(status ? { status } : {}),
  });
}

/** Ours, not Runware's (clients ignore unknown fields): the likeness score, when the image has one. */
function likenessFields(image: JobImage): Item {
  const fields: Item = {};
  if (image.likeness !== undefined) fields.likeness = image.likeness;
  if (image.faceFound !== undefined) fields.faceFound = image.faceFound;
  if (image.belowMinLikeness !== undefined) fields.belowMinLikeness = image.belowMinLikeness;
  return fields;
}

/**
 * A job's images as Runware result items of the form the client sent (photoMaker or imageInference:
 * the same fields), in the output type the task asked for.
 */
export class V1Results {
  private readonly blobs: Pick<BlobStore, 'get'>;
  private readonly imageUrls: Pick<ImageUrls, 'urlFor'>;

  constructor(deps: { blobs: Pick<BlobStore, 'get'>; imageUrls: Pick<ImageUrls, 'urlFor'> }) {
    this.blobs = deps.blobs;
    this.imageUrls = deps.imageUrls;
  }

  async all(
    state: JobState,
    taskUUID: string,
    status?: 'success',
    taskType: PhotoMakerTaskType = 'photoMaker',
  ): Promise<Item[]> {
    return Promise.all(state.images.map((image) => this.item(state, image, taskUUID, status, taskType)));
  }

  async item(
    state: JobState,
    image: JobImage,
    taskUUID: string,
    status?: 'success',
    taskType: PhotoMakerTaskType = 'photoMaker',
  ): Promise<Item> {
    const item: Item = {
      taskType,
      taskUUID,
      ...(status ? { status } : {}),
      imageUUID: image.imageUUID,
    };
    const { outputType } = state.task;
    if (outputType === 'URL') {
      item.imageURL = this.imageUrls.urlFor(image.blob);
    } else {
      const bytes = await this.blobs.get(image.blob.sha256);
      const base64 = bytes ? Buffer.from(bytes).toString('base64') : '';
      if (outputType === 'base64Data') item.imageBase64Data = base64;
      else item.imageDataURI = `data:${image.blob.mediaType};base64,${base64}`;
    }
    const runwareInputs = state.task.inputImages.flatMap((input) =>
      input.kind === 'runware' ? [input.imageUUID] : [],
    );
    if (runwareInputs.length === state.task.inputImages.length) item.inputImagesUUID = runwareInputs;
    item.seed = image.seed;
    if (reportsNsfw(state.task.safety)) item.NSFWContent = image.nsfw ?? false;
    if (state.task.includeCost && image.cost !== undefined) item.cost = image.cost;
    return Object.assign(item, likenessFields(image));
  }
}
