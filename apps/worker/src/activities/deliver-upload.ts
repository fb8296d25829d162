import { Context } from '@temporalio/activity';
import { deliveryId, signedDeliveryHeaders } from '../delivery/signed-delivery.ts';
import type { ActivityDeps } from './deps.ts';
import { send } from './outbound.ts';
import type { DeliveryInput, DeliveryResult } from './types.ts';

/**
 * PUTs one image's raw bytes to uploadEndpoint (as Runware does; e.g. a presigned S3 URL), signed over
 * those bytes like a webhook: a receiver that accepts extra headers can check them; storage that ignores
 * unknown headers (presigned URLs sign their own) is unaffected.
 */
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
        ...signedDeliveryHeaders(deps.settings.webhookSecrets, { tenant: input.tenant, id, body: bytes }),
      },
      signal: ctx.cancellationSignal,
    });
    return { status, deliveryId: id, attempt: ctx.info.attempt };
  };
}
