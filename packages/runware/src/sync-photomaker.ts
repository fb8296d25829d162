import { type PhotoMakerResult, photoMakerResultSchema } from '@photomaker/schema';
import type { PhotoMakerCallOptions } from './client-options.ts';
import { apiErrorFrom, isGenerationFailure, isSyncTimeout } from './error-mapping.ts';
import { RunwareApiError } from './errors.ts';
import { isPhotoMakerItem } from './photomaker-form.ts';
import type { RestResponse, RestTransport } from './rest-transport.ts';
import type { ResultCollector } from './result-collector.ts';
import { ownErrors, ownItems, parseItem } from './wire-items.ts';

export interface SyncSendOptions extends PhotoMakerCallOptions {
  /** Whole request, also the headers timeout: Runware answers a sync task when its images are done. */
  timeoutMs: number;
  apiKey: string;
  /** Images already reported (earlier attempts): only new ones reach `onResult`. */
  collector: ResultCollector;
  /** The answer carried images: Runware certainly holds the task. */
  onAccepted?: () => void;
}

/**
 * One sync photoMaker request. Every image in the answer is reported first, whatever the status (a sync
 * wait that ran out still carries what finished); then the images in batch order, or the failure.
 */
export async function sendSyncPhotoMaker(
  transport: RestTransport,
  wire: Record<string, unknown>,
  options: SyncSendOptions,
): Promise<PhotoMakerResult[]> {
  const taskUUID = wire.taskUUID as string;
  const context = { taskUUID, taskType: 'photoMaker', apiKey: options.apiKey };
  const response = await transport.post([wire], {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    headersTimeoutMs: options.timeoutMs,
    context,
  });
  const results = ownItems(response.envelope.data, taskUUID)
    .filter(isPhotoMakerItem)
    .map((item) => parseItem(photoMakerResultSchema, item, context));
  if (results.length > 0) options.onAccepted?.();
  const { collector } = options;
  for (const { result, index } of collector.add(results)) options.onResult?.(result, index);
  throwIfFailed(response, results.length, options, context);
  const expected = typeof wire.numberResults === 'number' ? wire.numberResults : 1;
  if (collector.results.length < expected) {
    throw new RunwareApiError({
      message: `Runware photoMaker ${taskUUID}: sync response carried ${collector.results.length} of ${expected} images; the rest can be fetched with getResponse`,
      category: 'serverError',
      retryable: true,
      code: 'incompleteResults',
      alreadyAccepted: true,
      status: response.status,
      taskUUID,
      taskType: 'photoMaker',
      results: collector.inBatchOrder(),
    });
  }
  return collector.inBatchOrder();
}

function throwIfFailed(
  response: RestResponse,
  resultCount: number,
  options: SyncSendOptions,
  context: { taskUUID: string; taskType: string; apiKey: string },
): void {
  const { status, envelope, retryAfterMs } = response;
  const failed = status >= 400;
  const errors = failed ? envelope.errors : ownErrors(envelope.errors, context.taskUUID);
  if (!failed && errors.length === 0) return;
  const syncTimeout = isSyncTimeout(ownErrors(errors, context.taskUUID));
  throw apiErrorFrom(
    {
      status: failed ? status : undefined,
      errors,
      retryAfterMs,
      results: options.collector.inBatchOrder(),
      generationFailed: !failed && !syncTimeout && isGenerationFailure(errors, resultCount),
      // The task runs on; with images in hand it certainly was accepted: poll for the rest.
      ...(syncTimeout && options.collector.results.length > 0 ? { alreadyAccepted: true } : {}),
    },
    context,
  );
}
