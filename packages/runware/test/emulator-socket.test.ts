import { randomUUID } from 'node:crypto';
import { RunwareSocket } from '@photomaker/runware/socket';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunwareApiError } from '../src/errors.ts';
import { EMULATOR_KEY, Emulator, imageBytes, referencePng } from './support/emulator.ts';

// RunwareSocket against the emulator's WebSocket /v1: authentication, push per image, faults, resume.
let emulator: Emulator;
let reference: string;
const sockets: RunwareSocket[] = [];

const base = (extra: Record<string, unknown> = {}) => ({
  taskUUID: randomUUID(),
  inputImages: [reference],
  positivePrompt: 'portrait photo, soft light',
  model: 'civitai:139562@344487',
  width: 256,
  height: 256,
  steps: 4,
  ...extra,
});

function open(options: { connectionSessionUUID?: string; apiKey?: string } = {}): RunwareSocket {
  const socket = new RunwareSocket({
    url: emulator.wsUrl,
    apiKey: options.apiKey ?? EMULATOR_KEY,
    reconnect: { minDelayMs: 20, maxDelayMs: 100 },
    taskTimeoutMs: 20_000,
    ...(options.connectionSessionUUID ? { connectionSessionUUID: options.connectionSessionUUID } : {}),
  });
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  emulator = await Emulator.start();
  reference = await referencePng();
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await emulator.setLatency({ imageMs: 0, parallelism: 4 });
});

afterAll(async () => {
  await emulator?.stop();
});

describe('connection', () => {
  it('authenticates, gets a session UUID and answers ping with pong', async () => {
    const socket = open();
    await socket.connect();
    expect(socket.state).toBe('open');
    expect(socket.connectionSessionUUID).toMatch(/^[0-9a-f-]{36}$/);
    await socket.ping();
  });

  it('a wrong key fails the handshake as an auth error, without reconnecting', async () => {
    const socket = open({ apiKey: 'not-a-key-we-issued' });
    const error = await socket.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ code: 'invalidApiKey', category: 'auth', retryable: false });
    expect(JSON.stringify(error)).not.toContain('not-a-key-we-issued');
    expect(socket.connections).toBe(0);
    expect(socket.state).toBe('closed');
  });
});

describe('photoMaker on the socket', () => {
  it('pushes each image as it finishes, in order, decodable at the requested size', async () => {
    await emulator.setLatency({ imageMs: 80, parallelism: 1 });
    const socket = open();
    const task = base({
      numberResults: 3,
      outputType: 'base64Data',
      outputFormat: 'PNG',
      width: 192,
      height: 320,
    });
    const arrivals: number[] = [];
    const results = await socket.photoMaker(task, { onResult: (_r, index) => arrivals.push(index) });
    expect(arrivals).toEqual([0, 1, 2]);
    const record = await emulator.task(task.taskUUID);
    expect(results.map((r) => r.imageUUID)).toEqual(record.images.map((image) => image.imageUUID));
    expect(record).toMatchObject({ submissions: 1, charges: 3 });
    const meta = await sharp(await imageBytes(results[2] ?? {})).metadata();
    expect(meta).toMatchObject({ width: 192, height: 320, format: 'png' });
  });

  it('duplicate frames are reported once', async () => {
    const socket = open();
    const task = base({ numberResults: 2 });
    await emulator.script({
      match: { taskUUID: task.taskUUID },
      fault: { kind: 'duplicateFrames', copies: 3 },
    });
    const seen: string[] = [];
    const results = await socket.photoMaker(task, { onResult: (r) => seen.push(r.imageUUID) });
    expect(results).toHaveLength(2);
    expect([...seen].sort()).toEqual(results.map((r) => r.imageUUID).sort()); // arrival vs batch order
  });

  it('a failed generation rejects after the finished images were pushed', async () => {
    const socket = open();
    const task = base({ numberResults: 2 });
    await emulator.script({
      match: { taskUUID: task.taskUUID },
      fault: { kind: 'generationError', code: 'inferenceError', images: [1] },
    });
    const seen: string[] = [];
    const error = await socket
      .photoMaker(task, { onResult: (r) => seen.push(r.imageUUID) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RunwareApiError', code: 'inferenceError', generationFailed: true });
    expect(seen).toHaveLength(1);
  });

  it('validation errors come back on the socket as Runware errors', async () => {
    const socket = open();
    const error = await socket
      .photoMaker(base({ strength: 99 }), { validate: false })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'RunwareApiError',
      code: 'invalidStrength',
      parameter: 'strength',
      retryable: false,
    });
  });
});

describe('session resume', () => {
  it('a new socket presenting the old connectionSessionUUID receives results produced while disconnected', async () => {
    await emulator.setLatency({ imageMs: 100, parallelism: 1 });
    const first = open();
    const task = base({ numberResults: 2 });
    const abandoned = first.photoMaker(task).catch((e: unknown) => e);
    await first.connect();
    const session = first.connectionSessionUUID;
    await first.close();
    expect(await abandoned).toMatchObject({ code: 'socketClosed', retryable: true });
    // Both images are produced with no socket attached to the session.
    const record = await emulator.settled(task.taskUUID);
    expect(record.charges).toBe(2);
    const replayedBefore = (await emulator.inspect()).replayedFrames;

    const second = open({ connectionSessionUUID: session as string });
    const results = await second.watch(task.taskUUID, { numberResults: 2 });
    expect(second.connectionSessionUUID).toBe(session);
    expect(results.map((r) => r.imageUUID)).toEqual(record.images.map((image) => image.imageUUID));
    expect((await emulator.inspect()).replayedFrames).toBe(replayedBefore + 2);
    expect(await emulator.task(task.taskUUID)).toMatchObject({ submissions: 1, charges: 2 });
  });

  it('a dropped socket reconnects with its session and asks for the task instead of sending it again', async () => {
    await emulator.setLatency({ imageMs: 60, parallelism: 1 });
    const socket = open();
    const task = base({ numberResults: 2 });
    await emulator.script({
      match: { taskUUID: task.taskUUID, transport: 'ws' },
      fault: { kind: 'reset', when: 'afterAccept' },
    });
    await socket.connect();
    const session = socket.connectionSessionUUID;
    const results = await socket.photoMaker(task);
    expect(socket.connections).toBe(2);
    expect(socket.connectionSessionUUID).toBe(session);
    const record = await emulator.settled(task.taskUUID);
    expect(results.map((r) => r.imageUUID)).toEqual(record.images.map((image) => image.imageUUID));
    expect(record).toMatchObject({ submissions: 1, generations: 2, charges: 2 });
  });

  it('a frame lost with its connection is sent once Runware says it never got it', async () => {
    const socket = open();
    const task = base({ numberResults: 1 });
    // The connection resets before the emulator accepts the task: it never sees it.
    await emulator.script({
      match: { taskUUID: task.taskUUID, transport: 'ws' },
      fault: { kind: 'reset', when: 'beforeWork' },
    });
    await socket.connect();
    const results = await socket.photoMaker(task);
    expect(socket.connections).toBe(2);
    const record = await emulator.settled(task.taskUUID);
    expect(results.map((r) => r.imageUUID)).toEqual(record.images.map((image) => image.imageUUID));
    expect(record).toMatchObject({ submissions: 1, generations: 1, charges: 1 });
  });

  it('a reconnect onto a new session fails the tasks sent on the old one as sessionLost', async () => {
    await emulator.setLatency({ imageMs: 300, parallelism: 1 });
    const socket = open();
    const task = base({ numberResults: 1 });
    await emulator.script({
      match: { taskUUID: task.taskUUID, transport: 'ws' },
      fault: { kind: 'reset', when: 'afterAccept' },
    });
    await socket.connect();
    // As if the session had expired at Runware: the resume presents a UUID it does not know.
    (socket as unknown as { session: string }).session = randomUUID();
    const error = await socket.photoMaker(task).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'sessionLost', retryable: true, taskUUID: task.taskUUID });
    expect(await emulator.settled(task.taskUUID)).toMatchObject({ submissions: 1, charges: 1 });
  });
});
