import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  id: string;
  jobId: string;
  imageUUID: string | undefined;
  bodySha256: string;
  signatureOk: boolean;
  /** What the receiver answered. */
  status: number;
}

/**
 * A webhook target on loopback that behaves like a flaky real one: it verifies each POST with the
 * off-the-shelf Standard Webhooks verifier (`standardwebhooks`, independent of the worker's signing code)
 * and the tenant's secret as the API tells it, records the delivery id (`webhook-id`, `whk_<jobId>_<index>`),
 * and answers 500 to the first attempt of every third id so the worker's retries are exercised. Receivers
 * dedupe on the delivery id; the checks prove that is possible.
 */
export class WebhookReceiver {
  private server: Server | undefined;
  readonly deliveries: Delivery[] = [];
  private readonly verifier: Webhook;
  private readonly seen = new Set<string>();

  /** `secret`: the tenant's `whsec_...` webhook signing secret. */
  constructor(secret: string) {
    this.verifier = new Webhook(secret);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const id = String(req.headers['webhook-id'] ?? '');
        const jobId = /^whk_(.+)_\d+$/.exec(id)?.[1] ?? '';
        let imageUUID: string | undefined;
        try {
          imageUUID = (JSON.parse(body.toString('utf8')) as { data?: { imageUUID?: string }[] }).data?.[0]
            ?.imageUUID;
        } catch {
          imageUUID = undefined;
        }
        const first = !this.seen.has(id);
        this.seen.add(id);
        const flaky = first && (createHash('sha256').update(id).digest()[0] ?? 0) % 3 === 0;
        const status = flaky ? 500 : 204;
        this.deliveries.push({
          id,
          jobId,
          imageUUID,
          bodySha256: createHash('sha256').update(body).digest('hex'),
          signatureOk: this.verify(req.headers, body),
          status,
        });
        res.statusCode = status;
        res.end();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  private verify(headers: IncomingHttpHeaders, body: Buffer): boolean {
    const signed = Object.fromEntries(
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
        name,
        String(headers[name] ?? ''),
      ]),
    );
    try {
      this.verifier.verify(body.toString('utf8'), signed, { jsonParse: false });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
