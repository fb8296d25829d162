import { describe, expect, it } from 'vitest';
import { deliveryId, signWebhook, verifyWebhookSignature } from '../src/delivery/webhook-signature.ts';

const body = '{"data":[{"taskType":"photoMaker","seed":42}]}';

describe('webhook signatures', () => {
  it('verifies what it signs, within the tolerance', () => {
    const header = signWebhook('s3cret', body, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ secret: 's3cret', header, body, now: 1_700_000_100 })).toEqual({
      ok: true,
      timestamp: 1_700_000_000,
    });
  });

  it('refuses a changed body, another secret, a stale timestamp and garbage', () => {
    const header = signWebhook('s3cret', body, 1_700_000_000);
    const now = 1_700_000_000;
    expect(verifyWebhookSignature({ secret: 's3cret', header, body: `${body} `, now })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyWebhookSignature({ secret: 'other', header, body, now })).toMatchObject({ ok: false });
    expect(verifyWebhookSignature({ secret: 's3cret', header, body, now: now + 301 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyWebhookSignature({ secret: 's3cret', header: 'v1=abc', body, now })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyWebhookSignature({ secret: 's3cret', header: undefined, body, now })).toMatchObject({
      ok: false,
    });
  });

  it('accepts any of several secrets while rotating', () => {
    const header = signWebhook('new-secret', body, 1_700_000_000);
    expect(
      verifyWebhookSignature({ secret: ['old-secret', 'new-secret'], header, body, now: 1_700_000_000 }),
    ).toMatchObject({ ok: true });
  });

  it('gives every retry of a delivery the same id', () => {
    expect(deliveryId('webhook', 'job-1', 3)).toBe('whk_job-1_3');
    expect(deliveryId('upload', 'job-1', 3)).toBe('upl_job-1_3');
  });
});
