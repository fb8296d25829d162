import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface WriteOptions {
  /** Trickle the body out over this many ms (slowBody fault). */
  slowBodyMs?: number;
  /** Send the headers and half the body, then reset the connection (reset midBody fault). */
  resetMidBody?: boolean;
}

/** Resets the TCP connection (RST), the way a crashed proxy or a dropped link looks to a client. */
export function resetConnection(response: ServerResponse): void {
  const socket = response.socket ?? response.req?.socket;
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

const SLOW_CHUNKS = 8;

/** Writes a JSON answer with Content-Length, honouring the body faults. */
export async function writeJson(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
  options: WriteOptions = {},
): Promise<void> {
  if (response.destroyed) return;
  const bytes = Buffer.from(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(bytes.length),
    ...headers,
  });
  if (options.resetMidBody) {
    response.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    await sleep(20);
    resetConnection(response);
    return;
  }
  const slow = options.slowBodyMs ?? 0;
  if (slow > 0 && bytes.length > 1) {
    const size = Math.ceil(bytes.length / SLOW_CHUNKS);
    for (let offset = 0; offset < bytes.length; offset += size) {
      if (response.destroyed) return;
      response.write(bytes.subarray(offset, offset + size));
      if (offset + size < bytes.length) await sleep(slow / SLOW_CHUNKS);
    }
    response.end();
    return;
  }
  response.end(bytes);
}
