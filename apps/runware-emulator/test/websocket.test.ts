import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { Receiver } from './helpers/receiver.ts';
import { admin, inspectTask } from './helpers/rest.ts';
import { forTask, WsClient } from './helpers/ws-client.ts';

let emulator: Emulator;
let face: string;
const clients: WsClient[] = [];

async function session(resume?: string) {
  const opened = await WsClient.session(emulator.wsUrl, KEY, resume);
  clients.push(opened.client);
  return opened;
}

beforeAll(async () => {
  emulator = await startEmulator({ latency: { imageMs: 120, parallelism: 1 }, idleTimeoutMs: 1_000 });
  face = dataUri(await facePng('a'));
});
afterAll(async () => {
  for (const client of clients) client.close();
  await emulator.close();
});

describe('WebSocket handshake', () => {
  it('authenticates with the first frame and returns a connectionSessionUUID', async () => {
    const { session: id } = await session();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts the legacy SDK query string on /v1', async () => {
    const client = await WsClient.connect(`${emulator.wsUrl}?sdk=js&version=1.3.2`);
    clients.push(client);
    const reply = await client.request([{ taskType: 'authentication', apiKey: KEY }], () => true);
    expect(reply.data?.[0]?.taskType).toBe('authentication');
  });

  it('refuses a wrong key with invalidApiKey (errors[] and the singular error the TS SDK reads)', async () => {
    const client = await WsClient.connect(emulator.wsUrl);
    clients.push(client);
    const reply = await client.request([{ taskType: 'authentication', apiKey: 'wrong' }], () => true);
    expect(reply.errors?.[0]).toMatchObject({ code: 'invalidApiKey', taskType: 'authentication' });
    expect(reply.error).toMatchObject({ code: 'invalidApiKey' });
    expect(JSON.stringify(reply)).not.toContain('wrong');
  });

  it('answers tasks before authentication with missingApiKey', async () => {
    const client = await WsClient.connect(emulator.wsUrl);
    clients.push(client);
    const taskUUID = uuid();
    const reply = await client.request([{ taskType: 'getResponse', taskUUID }], () => true);
    expect(reply.errors?.[0]).toMatchObject({ code: 'missingApiKey', taskUUID, taskType: 'getResponse' });
  });

  it('answers ping with pong', async () => {
    const { client } = await session();
    const reply = await client.request([{ taskType: 'ping', ping: true }], () => true);
    expect(reply).toEqual({ data: [{ taskType: 'ping', pong: true }] });
  });

  it('closes sockets that stay silent past the idle timeout', async () => {
    const { client } = await session();
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1000, reason: 'idle timeout' });
  });

  it('rejects upgrades on other paths', async () => {
    await expect(WsClient.connect(emulator.wsUrl.replace('/v1', '/v2'))).rejects.toThrow(/404/);
  });
});

describe('WebSocket tasks', () => {
  it('pushes sync results one frame per image as each finishes, in order', async () => {
    const { client } = await session();
    const task = photoMakerTask([face], { numberResults: 3, seed: 50 });
    client.send([task]);
    for (let i = 0; i < 3; i++) await client.next(forTask(String(task.taskUUID)));
    const frames = client.framesFor(String(task.taskUUID));
    expect(frames).toHaveLength(3);
    expect(frames.map((frame) => frame.data?.map((item) => item.seed))).toEqual([['50'], ['51'], ['52']]);
  });

  it('handles several tasks in one frame; immediate answers share a frame with data and errors', async () => {
    const { client } = await session();
    const upload = uuid();
    const bad = photoMakerTask([face], { width: 100 });
    const asyncTask = photoMakerTask([face], { deliveryMethod: 'async' });
    const reply = await client.request(
      [{ taskType: 'imageUpload', taskUUID: upload, image: face }, bad, asyncTask],
      forTask(upload),
    );
    expect(reply.data?.map((item) => item.taskUUID)).toEqual([upload, asyncTask.taskUUID]);
    expect(reply.errors?.[0]).toMatchObject({ code: 'invalidWidth', taskUUID: bad.taskUUID });
    // Async over WS: poll with getResponse on the same socket.
    let done = false;
    for (let i = 0; i < 200 && !done; i++) {
      const poll = await client.request(
        [{ taskType: 'getResponse', taskUUID: asyncTask.taskUUID }],
        (frame) => frame.data?.[0]?.taskUUID === asyncTask.taskUUID && 'status' in (frame.data?.[0] ?? {}),
      );
      done = poll.data?.[0]?.status === 'success';
      if (!done) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(done).toBe(true);
  });

  it('answers a ping while an earlier frame is still fetching its input image', async () => {
    const receiver = new Receiver();
    const png = await facePng('c');
    receiver.respond = () => ({ status: 200, body: png, type: 'image/png', delayMs: 400 });
    const origin = await receiver.start();
    try {
      const { client } = await session();
      const task = photoMakerTask([`${origin}/slow.png`]);
      client.send([task]);
      await receiver.waitFor(1);
      const pong = await client.request(
        [{ taskType: 'ping', ping: true }],
        (frame) => frame.data?.[0]?.taskType === 'ping',
      );
      expect(pong.data).toEqual([{ taskType: 'ping', pong: true }]);
      // The photoMaker frame is still waiting for its input image: not accepted yet.
      expect((await admin(emulator, `/inspect/tasks/${task.taskUUID}`)).status).toBe(404);
      await client.next(forTask(String(task.taskUUID)));
      expect((await inspectTask(emulator, String(task.taskUUID))).charges).toBe(1);
    } finally {
      await receiver.close();
    }
  });

  it('answers a re-sent taskUUID with conflictTaskUUID and never runs it twice', async () => {
    const { client } = await session();
    const task = photoMakerTask([face]);
    client.send([task]);
    await client.next(forTask(String(task.taskUUID)));
    const conflict = await client.request([task], forTask(String(task.taskUUID)));
    expect(conflict.errors?.[0]).toMatchObject({ code: 'conflictTaskUUID', taskUUID: task.taskUUID });
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({
      submissions: 2,
      generations: 1,
      charges: 1,
    });
  });
});

describe('WebSocket session resume', () => {
  it('replays results produced while disconnected to a socket that presents the old session', async () => {
    const first = await session();
    const task = photoMakerTask([face], { numberResults: 3, seed: 900 });
    first.client.send([task]);
    await first.client.next(forTask(String(task.taskUUID)));
    first.client.socket.terminate();
    await first.client.closed;
    // Wait until every image is done while nobody is connected.
    for (let i = 0; i < 200; i++) {
      if ((await inspectTask(emulator, String(task.taskUUID))).status === 'success') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const resumed = await session(first.session);
    expect(resumed.session).toBe(first.session);
    await resumed.client.next(forTask(String(task.taskUUID)));
    await resumed.client.next(forTask(String(task.taskUUID)));
    const seeds = resumed.client
      .framesFor(String(task.taskUUID))
      .flatMap((frame) => frame.data?.map((item) => item.seed));
    const firstSeeds = first.client
      .framesFor(String(task.taskUUID))
      .flatMap((frame) => frame.data?.map((item) => item.seed));
    expect([...firstSeeds, ...seeds]).toEqual(['900', '901', '902']);
    const { body } = await admin<{ replayedFrames: number }>(emulator, '/inspect');
    expect(body.replayedFrames).toBeGreaterThanOrEqual(2);
  });

  it('starts a fresh session for an unknown session UUID', async () => {
    const stale = uuid();
    const { session: id } = await session(stale);
    expect(id).not.toBe(stale);
  });

  it('a reset after acceptance leaves the task running; resuming the session delivers its results', async () => {
    await admin(emulator, '/faults', 'PUT', {
      scripted: [
        { match: { taskType: 'photoMaker', transport: 'ws' }, fault: { kind: 'reset', when: 'afterAccept' } },
      ],
    });
    const first = await session();
    const task = photoMakerTask([face], { numberResults: 2, seed: 10 });
    first.client.send([task]);
    await first.client.closed;
    expect(first.client.framesFor(String(task.taskUUID))).toHaveLength(0);
    const resumed = await session(first.session);
    await resumed.client.next(forTask(String(task.taskUUID)));
    await resumed.client.next(forTask(String(task.taskUUID)));
    expect(
      resumed.client
        .framesFor(String(task.taskUUID))
        .flatMap((frame) => frame.data?.map((item) => item.seed)),
    ).toEqual(['10', '11']);
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({ generations: 2, charges: 2 });
  });
});
