import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: string;
}

export type WireHandler = (req: ReceivedRequest, res: ServerResponse, socket: Socket) => void;

/**
 * A loopback HTTP server that answers each request with the next scripted handler: for wire responses
 * the emulator cannot produce (odd envelopes, HTTP-date Retry-After, stalls, a key echoed back).
 */
export class WireServer {
  readonly received: ReceivedRequest[] = [];
  private readonly handlers: WireHandler[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.received.push(received);
        const handler = this.handlers.shift();
        if (!handler) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('no scripted answer');
          return;
        }
        handler(received, res, req.socket);
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** Queue answers for the next requests, in order. */
  script(...handlers: WireHandler[]): this {
    this.handlers.push(...handlers);
    return this;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Answer with this status, JSON body and headers. */
export const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): WireHandler =>
  (_req, res) => {
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(typeof body === 'string' ? body : JSON.stringify(body));
  };

/** Drop the connection without an answer. */
export const reset: WireHandler = (_req, _res, socket) => {
  socket.destroy();
};
