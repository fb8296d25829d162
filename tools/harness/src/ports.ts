import { createServer } from 'node:net';

/** A port the OS says is free on 127.0.0.1 right now. */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export class PortInUseError extends Error {
  readonly port: number;
  readonly service: string;
  constructor(port: number, service: string) {
    super(`port ${port} (for ${service}) is already in use: stop what holds it or choose another port`);
    this.name = 'PortInUseError';
    this.port = port;
    this.service = service;
  }
}

/** Throws a PortInUseError (a clear message, no stack trace needed) when something listens there. */
export function assertPortFree(port: number, service: string, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, service) : error),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
