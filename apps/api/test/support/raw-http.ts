import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

// Clients that behave as attackers do: bodies larger than anyone should read, bytes sent slowly, many
// sockets. Real sockets against the real server, so the server's own limits are what is measured.

export interface BigUpload {
  status: number | undefined;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  /** Milliseconds from the first byte sent to the answer (or to the socket's end without one). */
  ms: number;
  /** Body bytes the client managed to hand to its socket before the server answered. */
  written: number;
}

/**
 * POSTs `totalBytes` of body (declared with content-length, or chunked) from one reused 1 MiB buffer, so
 * the client itself holds no copy; stops writing as soon as the server answers or closes.
 */
export function bigUpload(
  url: string,
  path: string,
  options: { totalBytes: number; headers?: Record<string, string>; chunked?: boolean },
): Promise<BigUpload> {
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  const started = performance.now();
  return new Promise((resolve) => {
    let written = 0;
    let answered = false;
    const req = request(`${url}${path}`, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        ...(options.chunked ? {} : { 'content-length': String(options.totalBytes) }),
        ...options.headers,
      },
    });
    const finish = (result: Omit<BigUpload, 'ms' | 'written'>) => {
      if (answered) return;
      answered = true;
      resolve({ ...result, ms: performance.now() - started, written });
      req.destroy();
    };
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        body += text;
      });
      res.on('end', () => finish({ status: res.statusCode, body, headers: res.headers }));
      res.on('error', () => finish({ status: res.statusCode, body, headers: res.headers }));
    });
    req.on('error', () => finish({ status: undefined, body: '', headers: {} }));
    /** Writes one chunk; false when the socket wants a pause. */
    const writeChunk = () => {
      const size = Math.min(chunk.length, options.totalBytes - written);
      written += size;
      return req.write(size === chunk.length ? chunk : chunk.subarray(0, size));
    };
    const pump = () => {
      while (!answered && written < options.totalBytes) {
        if (!writeChunk()) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

export interface Trickle {
  /** What the server sent before closing (a status line, or nothing). */
  received: string;
  /** Milliseconds until the server closed the socket. */
  closedAfterMs: number;
}

/**
 * Sends `head` (request line and some headers), then one more byte of `drip` every `everyMs`, until the
 * server closes the socket (or `giveUpMs` passes: then `closedAfterMs` is Infinity).
 */
export function trickle(
  url: string,
  options: { head: string; drip: string; everyMs: number; giveUpMs: number },
): Promise<Trickle> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const started = performance.now();
    let received = '';
    let index = 0;
    const timer = setInterval(() => {
      socket.write(options.drip[index % options.drip.length] ?? ' ');
      index++;
    }, options.everyMs);
    const giveUp = setTimeout(() => done(Number.POSITIVE_INFINITY), options.giveUpMs);
    function done(closedAfterMs: number) {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ received, closedAfterMs });
    }
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      received += text;
    });
    socket.on('close', () => done(performance.now() - started));
    socket.on('error', () => undefined);
    socket.write(options.head);
  });
}

/**
 * A keep-alive socket from `localAddress` that asks for /healthz: open (answered, and left open) or
 * refused (closed by the server without an answer).
 */
export function keepAliveSocket(
  url: string,
  localAddress: string,
): Promise<{ socket: Socket; answered: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress });
    let settled = false;
    const settle = (answered: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ socket, answered });
    };
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      if (text.startsWith('HTTP/1.1 200')) settle(true);
    });
    socket.on('close', () => settle(false));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n\r\n`);
    });
  });
}

/** GET with an exact Host (and Origin) header, which fetch does not let a caller set. */
export function getWithHost(
  url: string,
  path: string,
  headers: { host: string; origin?: string },
): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        body += text;
      });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
