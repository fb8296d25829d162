import { randomUUID } from 'node:crypto';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PNG_DATA_URI, setEmulatorLatency, startApi, tenants } from './helpers.ts';
import { imagesOf, RunwareSocket } from './support/runware-socket.ts';

// Runware's WebSocket protocol on the API's /v1, over real sockets against the real stack: the
// handshake first, bad frames, the bounds, pushed results, and resume of a session.
const who = tenants('ws', 'other');
let api: Awaited<ReturnType<typeof startApi>>;
const sockets: RunwareSocket[] = [];

beforeAll(async () => {
  api = await startApi(who, { PHOTOMAKER_MAX_V1_TASKS: '4', PHOTOMAKER_WS_AUTH_TIMEOUT_MS: '800' });
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await setEmulatorLatency(0);
});

afterAll(async () => {
  await api?.server.close();
});

async function session(key = who.ws.key, resume?: string) {
  const opened = await RunwareSocket.session(api.url, key, resume);
  sockets.push(opened.socket);
  return opened;
}

async function open() {
  const socket = await RunwareSocket.open(api.url);
  sockets.push(socket);
  return socket;
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

describe('the /v1 WebSocket handshake', () => {
  it('answers the authentication task with a session UUID, and a ping with a pong', async () => {
    const { socket, uuid } = await session();
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    socket.send([{ taskType: 'ping', ping: true }]);
    expect(await socket.next()).toEqual({ data: [{ taskType: 'ping', pong: true }] });
  });

  it('refuses a first frame that is not the authentication task, naming each task, and closes', async () => {
    const socket = await open();
    const taskUUID = randomUUID();
    socket.send([photoMaker({ taskUUID })]);
    const frame = await socket.next();
    expect(frame.errors).toEqual([
      expect.objectContaining({ code: 'missingApiKey', taskUUID, taskType: 'photoMaker' }),
    ]);
    expect(await socket.closedBy()).toEqual({ code: 4403, reason: 'authentication failed' });
  });

  it('refuses a wrong key with invalidApiKey on the authentication task (errors and error) and closes', async () => {
    const socket = await open();
    socket.send([{ taskType: 'authentication', apiKey: 'not-a-key-of-this-platform-000000000' }]);
    const frame = await socket.next();
    expect(frame.errors?.[0]).toMatchObject({
      code: 'invalidApiKey',
      taskType: 'authentication',
      parameter: 'apiKey',
    });
    expect(frame.error).toEqual(frame.errors?.[0]);
    expect((await socket.closedBy()).code).toBe(4403);
  });

  it('closes a socket that does not authenticate within the deadline (4408)', async () => {
    const socket = await open();
    expect(await socket.closedBy()).toEqual({ code: 4408, reason: 'authentication timeout' });
  });

  it('drops a socket that sends more than the anonymous byte cap before its key', async () => {
    const socket = await open();
    socket.send(`[{"taskType":"authentication","apiKey":"${'x'.repeat(100 * 1024)}"}]`);
    const closed = await socket.closedBy();
    expect(closed.code).toBe(1006);
  });

  it('answers 404 to an upgrade on an unknown path, and still serves graphql-ws on /graphql', async () => {
    const refused = new WebSocket(`${api.url.replace(/^http/, 'ws')}/nowhere`);
    const status = await new Promise<number | undefined>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      refused.on('error', () => resolve(undefined));
    });
    expect(status).toBe(404);
    const graphql = new WebSocket(`${api.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      graphql.on('open', resolve);
      graphql.on('error', reject);
    });
    graphql.terminate();
  });
});

describe('frames of an authenticated session', () => {
  it('answers bad frames in Runware shape and keeps the socket', async () => {
    const { socket } = await session();
    socket.send('not json');
    expect((await socket.next()).errors?.[0]).toMatchObject({ code: 'invalidJson' });
    socket.send('{"taskType":"ping"}');
    expect((await socket.next()).errors?.[0]).toMatchObject({ code: 'invalidTaskFormat' });
    const taskUUID = randomUUID();
    socket.send([{ taskType: 'videoInference', taskUUID }]);
    expect((await socket.next()).errors?.[0]).toMatchObject({ code: 'unsupportedTaskType', taskUUID });
    socket.send(Array.from({ length: 5 }, () => ({ taskType: 'ping', ping: true })));
    expect((await socket.next()).errors?.[0]).toMatchObject({ code: 'invalidTaskFormat', max: 4 });
    socket.send([photoMaker({ taskUUID, strength: 99 })]);
    expect((await socket.next()).errors?.[0]).toMatchObject({
      code: 'invalidStrength',
      taskUUID,
      taskType: 'photoMaker',
    });
    socket.send([{ taskType: 'ping', ping: true }]);
    expect((await socket.next()).data).toEqual([{ taskType: 'ping', pong: true }]);
  });

  it('uploads an image and pushes a sync photoMaker result per image, each as it finishes', async () => {
    const { socket } = await session();
    const uploadUUID = randomUUID();
    socket.send([{ taskType: 'imageUpload', taskUUID: uploadUUID, image: PNG_DATA_URI }]);
    const uploaded = (await socket.next()).data?.[0];
    expect(uploaded).toMatchObject({ taskType: 'imageUpload', taskUUID: uploadUUID });
    await setEmulatorLatency(300);
    const task = photoMaker({
      inputImages: [uploaded?.imageUUID],
      numberResults: 3,
      seed: 7,
      includeCost: true,
    });
    socket.send([task]);
    const images: Record<string, unknown>[] = [];
    const arrivals: number[] = [];
    while (images.length < 3) {
      const frame = await socket.next((f) => imagesOf(f, task.taskUUID).length > 0);
      arrivals.push(Date.now());
      images.push(...imagesOf(frame, task.taskUUID));
    }
    // Pushed as each finished, not all at once at the end.
    expect(arrivals.length).toBeGreaterThan(1);
    expect(images.map((image) => String(image.seed)).sort()).toEqual(['7', '8', '9']);
    for (const image of images) {
      expect(image).toMatchObject({ taskType: 'photoMaker', taskUUID: task.taskUUID });
      expect((await fetch(String(image.imageURL))).status).toBe(200);
    }
    // The same taskUUID again is a conflict, never a second job.
    socket.send([task]);
    expect((await socket.next((f) => f.errors !== undefined)).errors?.[0]).toMatchObject({
      code: 'conflictTaskUUID',
      taskUUID: task.taskUUID,
    });
  });

  it('acknowledges an async task at once and answers getResponse over the socket', async () => {
    const { socket } = await session();
    const task = photoMaker({ deliveryMethod: 'async', numberResults: 2 });
    socket.send([task]);
    expect((await socket.next()).data).toEqual([{ taskType: 'photoMaker', taskUUID: task.taskUUID }]);
    let done: Record<string, unknown>[] = [];
    for (let i = 0; i < 100 && done.length < 2; i++) {
      socket.send([{ taskType: 'getResponse', taskUUID: task.taskUUID }]);
      const items = (await socket.next()).data ?? [];
      done = items.filter((item) => item.status === 'success');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done).toHaveLength(2);
  });
});

describe('sessions', () => {
  it('resumes a session after a drop in the middle of a multi-image job and loses no image', async () => {
    const { socket, uuid } = await session();
    await setEmulatorLatency(400);
    const task = photoMaker({ numberResults: 4 });
    socket.send([task]);
    const first = imagesOf(await socket.next((f) => imagesOf(f, task.taskUUID).length > 0), task.taskUUID);
    socket.close();
    const resumed = await session(who.ws.key, uuid);
    expect(resumed.uuid).toBe(uuid);
    const seen = new Set(first.map((image) => String(image.imageUUID)));
    while (seen.size < 4) {
      const frame = await resumed.socket.next((f) => imagesOf(f, task.taskUUID).length > 0);
      for (const image of imagesOf(frame, task.taskUUID)) seen.add(String(image.imageUUID));
    }
    expect(seen.size).toBe(4);
  });

  it("does not resume another tenant's session", async () => {
    const { uuid } = await session();
    const other = await session(who.other.key, uuid);
    expect(other.uuid).not.toBe(uuid);
  });

  it('closes the previous socket of a session resumed on a new one (4000)', async () => {
    const { socket, uuid } = await session();
    await session(who.ws.key, uuid);
    expect((await socket.closedBy()).code).toBe(4000);
  });

  it('replays a task finished just before the drop (its last frame may not have arrived)', async () => {
    const { socket, uuid } = await session();
    const task = photoMaker({ numberResults: 2 });
    socket.send([task]);
    let got = 0;
    while (got < 2)
      got += imagesOf(await socket.next((f) => imagesOf(f, task.taskUUID).length > 0), task.taskUUID).length;
    socket.close();
    const resumed = await session(who.ws.key, uuid);
    const replayed = new Set<string>();
    while (replayed.size < 2) {
      const frame = await resumed.socket.next((f) => imagesOf(f, task.taskUUID).length > 0);
      for (const image of imagesOf(frame, task.taskUUID)) replayed.add(String(image.imageUUID));
    }
    expect(replayed.size).toBe(2);
  });

  it('resumes on another API replica (sessions live in Redis)', async () => {
    const replica = await startApi(who, { PHOTOMAKER_MAX_V1_TASKS: '4' });
    try {
      const { socket, uuid } = await session();
      await setEmulatorLatency(400);
      const task = photoMaker({ numberResults: 3 });
      socket.send([task]);
      const first = imagesOf(await socket.next((f) => imagesOf(f, task.taskUUID).length > 0), task.taskUUID);
      socket.close();
      const elsewhere = await RunwareSocket.session(replica.url, who.ws.key, uuid);
      sockets.push(elsewhere.socket);
      expect(elsewhere.uuid).toBe(uuid);
      const seen = new Set(first.map((image) => String(image.imageUUID)));
      while (seen.size < 3) {
        const frame = await elsewhere.socket.next((f) => imagesOf(f, task.taskUUID).length > 0);
        for (const image of imagesOf(frame, task.taskUUID)) seen.add(String(image.imageUUID));
      }
      expect(seen.size).toBe(3);
    } finally {
      await replica.server.close();
    }
  });
});
