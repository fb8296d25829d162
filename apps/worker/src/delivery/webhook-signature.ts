import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, Stripe style: `X-PhotoMaker-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">`. Receivers verify with the shared PHOTOMAKER_WEBHOOK_SECRET, reject stale
 * timestamps (replays), and dedupe on X-PhotoMaker-Delivery (the same id on every retry).
 */
export const SIGNATURE_HEADER = 'x-photomaker-signature';
export const DELIVERY_HEADER = 'x-photomaker-delivery';
export const JOB_HEADER = 'x-photomaker-job';

function hmac(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export function signWebhook(
  secret: string,
  body: string | Uint8Array,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed' | 'expired' | 'bad-signature' };

export interface VerifyWebhookOptions {
  /** One secret, or several while rotating. */
  secret: string | readonly string[];
  /** The X-PhotoMaker-Signature header value. */
  header: string | null | undefined;
  /** The raw request body, exactly as received (not re-serialized JSON). */
  body: string | Uint8Array;
  /** Oldest accepted signature age. Default 300 s. */
  toleranceSeconds?: number;
  /** Unix seconds; injectable for tests. */
  now?: number;
}

/** Checks a delivery's signature in constant time; any `v1` entry signed with any given secret passes. */
export function verifyWebhookSignature(options: VerifyWebhookOptions): WebhookVerification {
  const parts = (options.header ?? '').split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts
    .filter(([key, value]) => key === 'v1' && value)
    .map(([, value]) => value as string);
  if (!Number.isInteger(timestamp) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: 'expired' };
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(secret, timestamp, options.body), 'hex');
    for (const signature of signatures) {
      const given = Buffer.from(signature, 'hex');
      if (given.length === expected.length && timingSafeEqual(given, expected))
        return { ok: true, timestamp };
    }
  }
  return { ok: false, reason: 'bad-signature' };
}

/** Same id on every retry of one delivery: what receivers dedupe on. */
export function deliveryId(kind: 'webhook' | 'upload', jobId: string, imageIndex: number): string {
  return `${kind === 'webhook' ? 'whk' : 'upl'}_${jobId}_${imageIndex}`;
}
