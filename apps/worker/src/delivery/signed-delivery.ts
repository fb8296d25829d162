import { standardWebhookHeaders } from '@photomaker/webhooks';
import { ApplicationFailure } from '@temporalio/common';

/**
 * The signed headers of one delivery, in the Standard Webhooks format (packages/webhooks/README.md):
 * `webhook-id` (`whk_<jobId>_<index>` for webhook POSTs, `upl_<jobId>_<index>` for upload PUTs; the same
 * on every retry, what receivers dedupe on), `webhook-timestamp`, and `webhook-signature` made with the
 * job's tenant's secret, so one tenant cannot forge another's deliveries.
 */
export interface SigningSecrets {
  /** Every secret a tenant's deliveries are signed with (several while it rotates). */
  signing(tenant: string): readonly string[];
}

export function deliveryId(kind: 'webhook' | 'upload', jobId: string, imageIndex: number): string {
  return `${kind === 'webhook' ? 'whk' : 'upl'}_${jobId}_${imageIndex}`;
}

/**
 * Signed per attempt, so the timestamp is fresh and receivers can refuse replays. A delivery scheduled
 * before deliveries carried their tenant cannot be signed with the tenant's secret: it fails for good
 * rather than go out with a signature no receiver of that tenant accepts.
 */
export function signedDeliveryHeaders(
  secrets: SigningSecrets,
  delivery: { tenant?: string | undefined; id: string; body: string | Uint8Array },
): Record<string, string> {
  if (!delivery.tenant) {
    throw ApplicationFailure.create({
      type: 'deliveryUnsigned',
      message: `delivery ${delivery.id} names no tenant (scheduled by an older worker), so it cannot be signed with the tenant's webhook secret`,
      nonRetryable: true,
    });
  }
  return standardWebhookHeaders(secrets.signing(delivery.tenant), { id: delivery.id, body: delivery.body });
}
