import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PNG_DATA_URI, stack, startApi, tenants } from './helpers.ts';
import { RunwareSocket } from './support/runware-socket.ts';

// The /v1 WebSocket's bounds with small values: frames per second, pending sync tasks, sockets per key,
// idle close, the tenant's limits, and the close code of a shutdown.
const who = tenants('bounds', 'quota');
const METRICS_TOKEN = `metrics-${randomUUID()}`;
let api: Awaited<ReturnType<typeof startApi>>;
const sockets: RunwareSocket[] = [];

beforeAll(async () => {
  api = await startApi(who, {
    PHOTOMAKER_V1_WS_FRAMES_PER_SECOND: '3',
    PHOTOMAKER_V1_WS_MAX_PENDING_TASKS: '1',
    PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_KEY: '2',
    PHOTOMAKER_V1_WS_IDLE_MS: '1500',
    PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_MINUTE: '3',
    PHOTOMAKER_MAX_BODY_BYTES: '100000',
    PHOTOMAKER_METRICS_TOKEN: METRICS_TOKEN,
  });
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await api?.server.close();
});

async function session(key = who.bounds.key) {
  const opened = await RunwareSocket.session(api.url, key);
  sockets.push(opened.socket);
  return opened.socket;
}

const photoMaker = (overrides: Record<string, unknown> = {}) => ({
  taskType: 'photoMaker',
  taskUUID: randomUUID(),
  model: 'civitai:139562@344487',
  positivePrompt: 'wearing a suit, professional photo',
  inputImages: [PNG_DATA_URI],
  width: 512,
  height: 512,
  steps: 4,
  ...overrides,
});

describe('bounds of the /v1 WebSocket', () => {
  it('refuses frames over the per-second budget with rateLimitExceeded, naming each task', async () => {
    const socket = await session();
    for (let i = 0; i < 8; i++) socket.send([{ taskType: 'ping', ping: true, taskUUID: `t${i}` }]);
    const refused = await socket.next((f) => f.errors !== undefined);
    expect(refused.errors?.[0]).toMatchObject({ code: 'rateLimitExceeded', retryAfter: 1 });
    expect(refused.errors?.[0]?.taskUUID).toMatch(/^t\d$/);
  });

  it('refuses sync tasks over the pending bound, and more sockets than the per-key cap', async () => {
    const socket = await session();
    const [a, b] = [photoMaker(), photoMaker()];
    socket.send([a, b]);
    const frame = await socket.next((f) => f.errors !== undefined);
    expect(frame.errors?.map((e) => [e.code, e.limitName, e.taskUUID])).toEqual([
      ['rateLimitExceeded', 'pendingTasks', a.taskUUID],
      ['rateLimitExceeded', 'pendingTasks', b.taskUUID],
    ]);
    await session();
    const third = await RunwareSocket.open(api.url);
    sockets.push(third);
    third.send([{ taskType: 'authentication', apiKey: who.bounds.key }]);
    expect((await third.next()).errors?.[0]).toMatchObject({
      code: 'rateLimitExceeded',
      taskType: 'authentication',
    });
    expect(await third.closedBy()).toEqual({ code: 1013, reason: 'too many connections' });
  });

  it("applies the tenant's limits with the task's UUID", async () => {
    const socket = await session(who.quota.key);
    const task = photoMaker({ numberResults: 4 });
    socket.send([task]);
    expect((await socket.next()).errors?.[0]).toMatchObject({
      code: 'rateLimitExceeded',
      limitName: 'imagesPerMinute',
      taskUUID: task.taskUUID,
    });
  });

  it('closes a socket whose frame is over PHOTOMAKER_MAX_BODY_BYTES (1009)', async () => {
    const socket = await session();
    socket.send([{ taskType: 'imageUpload', taskUUID: randomUUID(), image: 'A'.repeat(150_000) }]);
    expect((await socket.closedBy()).code).toBe(1009);
  });

  it('refuses an upgrade over PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_IP with 429', async () => {
    const capped = await startApi(who, { PHOTOMAKER_V1_WS_MAX_SOCKETS_PER_IP: '1' });
    try {
      const first = await RunwareSocket.open(capped.url);
      sockets.push(first);
      const second = new WebSocket(`${capped.url.replace(/^http/, 'ws')}/v1`);
      const status = await new Promise<number | undefined>((resolve) => {
        second.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        second.on('open', () => resolve(101));
        second.on('error', () => resolve(undefined));
      });
      expect(status).toBe(429);
      first.close();
      // The slot comes back when the socket closes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const third = await RunwareSocket.open(capped.url);
      sockets.push(third);
    } finally {
      await capped.server.close();
    }
  });

  it('closes a socket idle for longer than PHOTOMAKER_V1_WS_IDLE_MS', async () => {
    const socket = await session();
    expect(await socket.closedBy(5_000)).toEqual({ code: 1000, reason: 'idle timeout' });
  });

  it('counts sockets, sessions, frames and closes in /metrics, without keys or session UUIDs', async () => {
    const { socket, uuid } = await RunwareSocket.session(api.url, who.bounds.key);
    sockets.push(socket);
    const response = await fetch(`${api.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    const text = await response.text();
    expect(text).toMatch(/photomaker_api_v1_ws_sockets\{[^}]*\} [1-9]/);
    expect(text).toMatch(/photomaker_api_v1_ws_sessions_total\{[^}]*resumed="false"[^}]*\} [1-9]/);
    expect(text).toMatch(/photomaker_api_v1_ws_frames_total\{[^}]*outcome="rate-limited"[^}]*\} [1-9]/);
    expect(text).toMatch(/photomaker_api_v1_ws_closed_total\{[^}]*reason="idle"[^}]*\} 1/);
    expect(text).not.toContain(uuid);
    expect(text).not.toContain(who.bounds.key);
    expect(text).not.toContain(who.bounds.tenant);
  });

  it('closes every socket with 1012 (clients reconnect) when the server shuts down, sessions left to a resume', async () => {
    const { socket, uuid } = await RunwareSocket.session(api.url, who.bounds.key);
    sockets.push(socket);
    await api.server.close();
    expect((await socket.closedBy()).code).toBe(1012);
    // Handed back before the API let Redis go: the session waits PHOTOMAKER_V1_WS_RESUME_MS (2 min).
    const redis = new Redis(stack().redisUrl);
    try {
      const ttl = await redis.ttl(`photomaker:v1ws:session:${uuid}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120);
    } finally {
      redis.disconnect();
    }
  });
});
