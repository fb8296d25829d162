import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of a received request, as the verifier takes them. */
export function webhookHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
      name,
      String(headers[name] ?? ''),
    ]),
  );
}

/** A JSON webhook checked by the off-the-shelf `standardwebhooks` verifier (throws when it fails). */
export function verifyWebhook(
  secret: string,
  request: { headers: IncomingHttpHeaders; body: Buffer },
): unknown {
  return new Webhook(secret).verify(request.body.toString('utf8'), webhookHeaders(request.headers));
}

/**
 * A binary upload checked against the spec's formula directly: the JS verifier decodes bodies as UTF-8,
 * which does not round-trip image bytes.
 */
export function uploadSignatureOk(
  secret: string,
  request: { headers: IncomingHttpHeaders; body: Buffer },
): boolean {
  const {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': signature,
  } = webhookHeaders(request.headers);
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(
    `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(request.body).digest('base64')}`,
  );
  return (signature ?? '')
    .split(' ')
    .some((given) => given.length === expected.length && timingSafeEqual(Buffer.from(given), expected));
}
