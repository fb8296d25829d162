import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually, gql, startApi, tenants, v1 } from './helpers.ts';
import { keepAliveSocket } from './support/raw-http.ts';

// Per-address limits and connection caps with real sockets: wrong keys are slowed down by a growing
// block, sockets are capped per address and in total, and a WebSocket must authenticate promptly.

const who = tenants('guard', 'caps');
let blocking: Awaited<ReturnType<typeof startApi>>;
let capped: Awaited<ReturnType<typeof startApi>>;
const sockets: Socket[] = [];

beforeAll(async () => {
  blocking = await startApi({ guard: who.guard }, { PHOTOMAKER_AUTH_FAILURES_BEFORE_BLOCK: '3' });
  capped = await startApi(
    { caps: who.caps },
    {
      PHOTOMAKER_MAX_CONNECTIONS_PER_IP: '2',
      PHOTOMAKER_MAX_CONNECTIONS: '3',
      PHOTOMAKER_WS_AUTH_TIMEOUT_MS: '500',
    },
  );
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await blocking?.server.close();
  await capped?.server.close();
});

describe('failed authentications per address', () => {
  it('repeated wrong keys get 401, then 429 with a doubling Retry-After; the block covers every transport and valid keys', async () => {
    const wrong = 'wrong-key-of-enough-length-0123456789';
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await gql(blocking.url, wrong, '{ styles { name } }')).status);
    expect(statuses).toEqual([401, 401, 401]);
    const waits: string[] = [];
    for (let i = 0; i < 4; i++) {
      const refused = await gql(blocking.url, wrong, '{ styles { name } }');
      expect(refused.status).toBe(429);
      expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      waits.push(refused.headers.get('retry-after') ?? '');
    }
    expect(waits).toEqual(['1', '2', '4', '8']);
    const valid = await gql(blocking.url, who.guard.key, '{ styles { name } }');
    expect(valid.status).toBe(429);
    expect(valid.errors?.[0]?.message).toMatch(/failed authentications from this address/);
    const batch = await v1(blocking.url, who.guard.key, [{ taskType: 'ping', ping: true }]);
    expect(batch.status).toBe(429);
    expect(batch.body.errors?.[0]).toMatchObject({ code: 'rateLimitExceeded' });
    const socket = new WebSocket(`${blocking.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    socket.on('open', () =>
      socket.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${who.guard.key}` } }),
      ),
    );
    const code = await new Promise<number>((resolve) =>
      socket.on('close', (closeCode) => resolve(closeCode)),
    );
    expect(code).toBe(4403);
  });

  it('1,000 guesses in a row get 3 answers that say anything about a key', async () => {
    const fresh = await startApi({ guard: who.guard }, { PHOTOMAKER_AUTH_FAILURES_BEFORE_BLOCK: '3' });
    try {
      const statuses = new Map<number, number>();
      for (let i = 0; i < 1_000; i++) {
        const { status } = await v1(fresh.url, `guess-${i}-0123456789abcdefghijklmnopqrstu`, [
          { taskType: 'ping', ping: true },
        ]);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 401: 3, 429: 997 });
    } finally {
      await fresh.server.close();
    }
  });
});

describe('connection caps', () => {
  it('holds per address and in total, and frees a slot when a socket closes', async () => {
    const open = async (localAddress: string) => {
      const result = await keepAliveSocket(capped.url, localAddress);
      sockets.push(result.socket);
      return result;
    };
    const first = await open('127.0.0.1');
    expect(first.answered).toBe(true);
    expect((await open('127.0.0.1')).answered).toBe(true);
    expect((await open('127.0.0.1')).answered).toBe(false);
    // Another address is not capped by the first one's sockets, but the total (3) is reached with it.
    expect((await open('127.0.0.2')).answered).toBe(true);
    expect((await open('127.0.0.2')).answered).toBe(false);
    first.socket.destroy();
    await eventually(async () => (await open('127.0.0.1')).answered, 5_000, 100);
  });
});

describe('WebSocket authentication deadline', () => {
  const wsUrl = () => `${capped.url.replace(/^http/, 'ws')}/graphql`;
  const closeOf = (socket: WebSocket) =>
    new Promise<{ code: number; ms: number }>((resolve) => {
      const started = performance.now();
      socket.on('close', (code) => resolve({ code, ms: performance.now() - started }));
      socket.on('error', () => undefined);
    });

  it('a socket that never sends connection_init is closed at PHOTOMAKER_WS_AUTH_TIMEOUT_MS', async () => {
    // Free the connection slots the cap test may still hold.
    for (const socket of sockets.splice(0)) socket.destroy();
    await eventually(async () => {
      const probe = await keepAliveSocket(capped.url, '127.0.0.3');
      probe.socket.destroy();
      return probe.answered;
    });
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    const closed = await closeOf(socket);
    expect(closed.code).toBe(4408);
    expect(closed.ms).toBeLessThan(3_000);
  });

  it('connection_init without connectionParams is refused at once (4403)', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init' })));
    const closed = await closeOf(socket);
    expect(closed.code).toBe(4403);
    expect(closed.ms).toBeLessThan(1_000);
  });

  it('a socket may send only PHOTOMAKER_ANONYMOUS_BODY_BYTES before authenticating; afterwards a large message is fine', async () => {
    const anonymous = new WebSocket(wsUrl(), 'graphql-transport-ws');
    anonymous.on('open', () => anonymous.send('x'.repeat(1024 * 1024)));
    const dropped = await closeOf(anonymous);
    expect(dropped.code).toBe(1006);
    expect(dropped.ms).toBeLessThan(450);

    const authenticated = new WebSocket(wsUrl(), 'graphql-transport-ws');
    const messages: { type: string; payload?: unknown }[] = [];
    authenticated.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      messages.push(message);
      if (message.type === 'connection_ack') {
        const query = `{ styles { name } }\n#${'x'.repeat(200 * 1024)}`;
        authenticated.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      }
      if (message.type === 'complete') authenticated.close(1000);
    });
    authenticated.on('open', () =>
      authenticated.send(
        JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${who.caps.key}` } }),
      ),
    );
    expect((await closeOf(authenticated)).code).toBe(1000);
    expect(messages.map((message) => message.type)).toEqual(['connection_ack', 'next', 'complete']);
  });
});
