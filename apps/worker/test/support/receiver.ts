import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The status this receiver answered with. */
  status: number;
}

/**
 * A local HTTP endpoint standing in for a customer's webhook / upload target. `respond` picks the status
 * per request (e.g. fail the first attempts); every request is recorded.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** Requests as they arrive, before they are answered. */
  readonly arrivals: Omit<ReceivedRequest, 'status'>[] = [];
  private server: Server | undefined;
  private baseUrl = '';
  respond: (request: Omit<ReceivedRequest, 'status'>, index: number) => number | Promise<number> = () => 200;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          method: req.method ?? '',
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        this.arrivals.push(request);
        void Promise.resolve(this.respond(request, this.requests.length)).then((status) => {
          this.requests.push({ ...request, status });
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
        });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  received(method: string, pathPrefix: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
