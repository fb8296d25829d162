import { extensionFor, signBlobPath } from '@photomaker/blobstore';
import { stringifyRunwareJson } from '@photomaker/schema';
import { Context } from '@temporalio/activity';
import { deliveryId, signedDeliveryHeaders } from '../delivery/signed-delivery.ts';
import type { ActivityDeps } from './deps.ts';
import { send } from './outbound.ts';
import type { DeliveryInput, DeliveryResult } from './types.ts';

/** The body Runware would POST for this image, with the image link pointing at our API. */
async function webhookBody(deps: ActivityDeps, input: DeliveryInput): Promise<string> {
  const { image } = input;
  const { publicUrl, urlSecret, imageUrlTtlSeconds } = deps.settings;
  const imageURL = `${publicUrl}${signBlobPath(image.blob.sha256, image.blob.mediaType, { secret: urlSecret, ttlSeconds: imageUrlTtlSeconds })}`;
  const item: Record<string, unknown> = {
    taskType: 'photoMaker',
    taskUUID: input.runwareTaskUUID,
    imageUUID: image.imageUUID,
    imageURL,
  };
  if (input.outputType !== 'URL') {
    const bytes = await deps.blobs.get(image.blob.sha256);
    if (!bytes)
      throw new Error(
        `output image ${image.blob.sha256}.${extensionFor(image.blob.mediaType)} is missing from the blob store`,
      );
    const base64 = Buffer.from(bytes).toString('base64');
    if (input.outputType === 'base64Data') item.imageBase64Data = base64;
    else item.imageDataURI = `data:${image.blob.mediaType};base64,${base64}`;
  }
  item.seed = image.seed;
  if (image.cost !== undefined) item.cost = image.cost;
  if (image.nsfw !== undefined) item.NSFWContent = image.nsfw;
  return stringifyRunwareJson({ data: [item] });
}

/** POSTs one result to webhookURL, signed for the job's tenant; retried durably by the workflow's policy. */
export function createDeliverWebhook(deps: ActivityDeps) {
  return async function deliverWebhook(input: DeliveryInput): Promise<DeliveryResult> {
    const id = deliveryId('webhook', input.jobId, input.image.index);
    return postSignedWebhook(deps, {
      url: input.url,
      tenant: input.tenant,
      id,
      body: await webhookBody(deps, input),
    });
  };
}

/**
 * POSTs a JSON body to a job's webhookURL, signed for its tenant (Standard Webhooks headers, `id` the same
 * on every retry), inside the current activity: cancellable, its attempt reported.
 */
export async function postSignedWebhook(
  deps: ActivityDeps,
  post: { url: string; tenant: string | undefined; id: string; body: string },
): Promise<DeliveryResult> {
  const ctx = Context.current();
  const { url, tenant, id, body } = post;
  const status = await send(deps, {
    kind: 'webhook',
    url,
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      ...signedDeliveryHeaders(deps.settings.webhookSecrets, { tenant, id, body }),
    },
    signal: ctx.cancellationSignal,
  });
  return { status, deliveryId: id, attempt: ctx.info.attempt };
}
