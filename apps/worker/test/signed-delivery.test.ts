import { TenantWebhookSecrets } from '@photomaker/webhooks';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { deliveryId, signedDeliveryHeaders } from '../src/delivery/signed-delivery.ts';

const secrets = new TenantWebhookSecrets({ master: 'master-secret-0123456789abcdef' });
const body = '{"data":[{"taskType":"photoMaker","seed":42}]}';

describe('signed deliveries', () => {
  it('are signed with the tenant’s secret, in the Standard Webhooks format', () => {
    const headers = signedDeliveryHeaders(secrets, { tenant: 'tenant-a', id: 'whk_job-1_0', body });
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secrets.current('tenant-a')).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secrets.current('tenant-b')).verify(body, headers)).toThrow(
      'No matching signature found',
    );
  });

  it('fail for good, naming the delivery, when the input names no tenant', () => {
    let failure: unknown;
    try {
      signedDeliveryHeaders(secrets, { id: 'whk_job-1_0', body });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'deliveryUnsigned', nonRetryable: true });
    expect((failure as Error).message).toContain('delivery whk_job-1_0 names no tenant');
  });

  it('give every retry of a delivery the same id', () => {
    expect(deliveryId('webhook', 'job-1', 3)).toBe('whk_job-1_3');
    expect(deliveryId('upload', 'job-1', 3)).toBe('upl_job-1_3');
  });
});
