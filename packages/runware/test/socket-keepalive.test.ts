import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RunwareSocket } from '../src/socket.ts';
import { API_KEY } from './support/fixtures.ts';

// A half-open socket (answers nothing after the handshake) is what the emulator cannot play: a local
// WebSocket server that authenticates and then ignores pings stands in for it.
let server: WebSocketServer | undefined;
let socket: RunwareSocket | undefined;

afterEach(async () => {
  await socket?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  socket = undefined;
});

function silentServer(): Promise<{ url: string; auths: Record<string, unknown>[] }> {
  const auths: Record<string, unknown>[] = [];
  let sessions = 0;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server = wss;
  wss.on('connection', (ws) => {
    ws.once('message', (raw) => {
      const [auth] = JSON.parse(String(raw)) as Record<string, unknown>[];
      auths.push(auth ?? {});
      const session = (auth?.connectionSessionUUID as string | undefined) ?? `session-${++sessions}`;
      ws.send(JSON.stringify({ data: [{ taskType: 'authentication', connectionSessionUUID: session }] }));
      // ...and from here on: silence, like a dead link.
    });
  });
  return new Promise((resolve) =>
    wss.on('listening', () =>
      resolve({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1`, auths }),
    ),
  );
}

describe('keep-alive', () => {
  it('a missing pong drops the socket and reconnects with the same session', async () => {
    const { url, auths } = await silentServer();
    socket = new RunwareSocket({
      url,
      apiKey: API_KEY,
      pingIntervalMs: 40,
      pongTimeoutMs: 40,
      reconnect: { minDelayMs: 10, maxDelayMs: 20 },
    });
    await socket.connect();
    const session = socket.connectionSessionUUID;
    await expect(socket.ping()).rejects.toMatchObject({
      code: 'pongTimeout',
      category: 'timeout',
      retryable: true,
    });
    await expect.poll(() => auths.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(auths[0]).toEqual({ taskType: 'authentication', apiKey: API_KEY });
    expect(auths[1]).toEqual({ taskType: 'authentication', apiKey: API_KEY, connectionSessionUUID: session });
  });

  it('close() stops reconnecting and fails waiting tasks with a retryable error', async () => {
    const { url, auths } = await silentServer();
    socket = new RunwareSocket({
      url,
      apiKey: API_KEY,
      pingIntervalMs: 60_000,
      reconnect: { minDelayMs: 10 },
    });
    const waiting = socket
      .watch('6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a', { numberResults: 1 })
      .catch((e: unknown) => e);
    await socket.connect();
    await socket.close();
    expect(await waiting).toMatchObject({
      name: 'RunwareTransportError',
      code: 'socketClosed',
      retryable: true,
    });
    expect(socket.state).toBe('closed');
    const count = auths.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(auths.length).toBe(count);
  });
});
