import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
 * A webhook target on loopback that behaves like a flaky real one: it verifies each POST's signature
 * (X-PhotoMaker-Signature, HMAC-SHA256 of "<t>.<body>", as documented by the worker) independently of the
 * worker's code, records the delivery id, and answers 500 to the first attempt of every third id so the
 * worker's retries are exercised. Receivers dedupe on the delivery id; the checks prove that is possible.
 */
export class WebhookReceiver {
  private server: Server | undefined;
  readonly deliveries: Delivery[] = [];
  private readonly secret: string;
  private readonly seen = new Set<string>();

  constructor(secret: string) {
    this.secret = secret;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const id = String(req.headers['x-photomaker-delivery'] ?? '');
        const jobId = String(req.headers['x-photomaker-job'] ?? '');
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
          signatureOk: this.verify(String(req.headers['x-photomaker-signature'] ?? ''), body),
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

  private verify(header: string, body: Buffer): boolean {
    const parts = Object.fromEntries(
      header.split(',').map((part) => part.trim().split('=') as [string, string]),
    );
    const t = Number(parts.t);
    if (!Number.isInteger(t) || !parts.v1) return false;
    const expected = createHmac('sha256', this.secret).update(`${t}.`).update(body).digest();
    const given = Buffer.from(parts.v1, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
