import { Context } from '@temporalio/activity';
import { DELIVERY_HEADER, deliveryId, JOB_HEADER } from '../delivery/webhook-signature.ts';
import type { ActivityDeps } from './deps.ts';
import { send } from './outbound.ts';
import type { DeliveryInput, DeliveryResult } from './types.ts';

/** PUTs one image's raw bytes to uploadEndpoint (as Runware does; e.g. a presigned S3 URL). */
export function createDeliverUpload(deps: ActivityDeps) {
  return async function deliverUpload(input: DeliveryInput): Promise<DeliveryResult> {
    const ctx = Context.current();
    const { blob, index } = input.image;
    const bytes = await deps.blobs.get(blob.sha256);
    if (!bytes) throw new Error(`output image ${blob.sha256} is missing from the blob store`);
    const id = deliveryId('upload', input.jobId, index);
    const status = await send(deps, {
      kind: 'upload',
      url: input.url,
      method: 'PUT',
      body: bytes,
      headers: {
        'content-type': blob.mediaType,
        [DELIVERY_HEADER]: id,
        [JOB_HEADER]: input.jobId,
        'x-photomaker-image-index': String(index),
      },
      signal: ctx.cancellationSignal,
    });
    return { status, deliveryId: id, attempt: ctx.info.attempt };
  };
}
