import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Answer {
  status: number;
  body?: Buffer | string;
  type?: string;
  delayMs?: number;
}

/**
 * A local HTTP endpoint for webhooks, uploadEndpoint PUTs and image URLs. `respond` decides each answer
 * (default 200); every request is recorded.
 */
export class Receiver {
  readonly received: Received[] = [];
  respond: (request: Received, index: number) => Answer = () => ({ status: 200 });
  private readonly server: Server;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const entry: Received = {
          method: request.method ?? '',
          path: request.url ?? '/',
          headers: request.headers,
          body: Buffer.concat(chunks),
        };
        this.received.push(entry);
        const answer = this.respond(entry, this.received.length - 1);
        setTimeout(() => {
          response.writeHead(answer.status, { 'content-type': answer.type ?? 'text/plain' });
          response.end(answer.body ?? '');
        }, answer.delayMs ?? 0);
        this.waiters = this.waiters.filter((waiter) => {
          if (this.received.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} requests, got ${this.received.length}`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
