import { createHmac } from 'node:crypto';
import { SECRET_PREFIX } from './tenant-secrets.ts';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">`, keyed with the bytes of
 * the `whsec_` secret, one entry per secret (space-separated) while a tenant rotates. The id and the
 * timestamp are signed with the body, so none of the three can be swapped.
 */
const WEBHOOK_ID_HEADER = 'webhook-id';
const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** How far a receiver should let `webhook-timestamp` be from its clock (the verifiers' default). */
export const REPLAY_WINDOW_SECONDS = 300;

export interface SignedMessage {
  /** The same on every retry of one delivery: what receivers dedupe on. */
  id: string;
  body: string | Uint8Array;
  /** Unix seconds; now by default. */
  timestamp?: number;
}

function signature(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of a signed delivery. */
export function standardWebhookHeaders(
  secrets: readonly string[],
  message: SignedMessage,
): Record<string, string> {
  if (message.id.includes('.')) throw new Error(`webhook id '${message.id}' must not contain '.'`);
  const timestamp = message.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    [WEBHOOK_ID_HEADER]: message.id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: secrets
      .map((secret) => signature(secret, message.id, timestamp, message.body))
      .join(' '),
  };
}
