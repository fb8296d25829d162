import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask } from './helpers/fixtures.ts';
import { Receiver } from './helpers/receiver.ts';
import { admin, inspectTask, pollUntilDone, post } from './helpers/rest.ts';

let emulator: Emulator;
let face: string;
let receiver: Receiver;
let receiverUrl: string;

beforeAll(async () => {
  // One image at a time, 150 ms each: partial states are visible to getResponse.
  emulator = await startEmulator({
    latency: { imageMs: 150, parallelism: 1 },
    delivery: { attempts: 4, minDelayMs: 20, maxDelayMs: 100 },
  });
  face = dataUri(await facePng('a'));
  receiver = new Receiver();
  receiverUrl = await receiver.start();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.respond = () => ({ status: 200 });
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

describe('async delivery + getResponse', () => {
  it('acks at once, then getResponse shows the cumulative per-image state in stable order', async () => {
    const task = photoMakerTask([face], { deliveryMethod: 'async', numberResults: 3, seed: 100 });
    const ack = await post(emulator, [task]);
    expect(ack.status).toBe(200);
    expect(ack.body.data).toEqual([{ taskType: 'photoMaker', taskUUID: task.taskUUID }]);
    const snapshots = await pollUntilDone(emulator, String(task.taskUUID), 3);
    for (const snapshot of snapshots) {
      const items = snapshot.body.data ?? [];
      expect(items).toHaveLength(3);
      expect(items.every((item) => item.taskUUID === task.taskUUID)).toBe(true);
      const statuses = items.map((item) => item.status);
      // Images finish in order: no processing item before a finished one.
      expect(statuses.lastIndexOf('success')).toBeLessThan(
        statuses.includes('processing') ? statuses.indexOf('processing') : statuses.length,
      );
      items.forEach((item, index) => {
        if (item.status === 'success') expect(item.seed).toBe(String(100 + index));
        else expect(item.progress).toBeGreaterThanOrEqual(0);
      });
    }
    const partial = snapshots.some((snapshot) => {
      const done = (snapshot.body.data ?? []).filter((item) => item.status === 'success').length;
      return done > 0 && done < 3;
    });
    expect(partial).toBe(true);
    const final = snapshots.at(-1)?.body.data ?? [];
    expect(new Set(final.map((item) => item.imageUUID)).size).toBe(3);
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({
      generations: 3,
      charges: 3,
      status: 'success',
      deliveryMethod: 'async',
    });
  });

  it('puts failed generations in errors with status error, successes stay in order', async () => {
    await admin(emulator, '/faults', 'PUT', {
      scripted: [
        {
          match: { taskType: 'photoMaker' },
          fault: { kind: 'generationError', images: [1], code: 'inferenceError' },
        },
      ],
    });
    const task = photoMakerTask([face], { deliveryMethod: 'async', numberResults: 3, seed: 7 });
    await post(emulator, [task]);
    const final = (await pollUntilDone(emulator, String(task.taskUUID), 3)).at(-1);
    expect(final?.status).toBe(200);
    expect(final?.body.data?.map((item) => [item.status, item.seed])).toEqual([
      ['success', '7'],
      ['success', '9'],
    ]);
    expect(final?.body.errors).toEqual([
      expect.objectContaining({ code: 'inferenceError', status: 'error', taskUUID: task.taskUUID }),
    ]);
    // The failed generation ran but was not charged.
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({
      generations: 3,
      charges: 2,
      status: 'partial',
    });
  });

  it('a sync REST task with a failed generation returns its successes and the error', async () => {
    await admin(emulator, '/faults', 'PUT', {
      scripted: [{ fault: { kind: 'generationError', images: [0], code: 'processingFailed' } }],
    });
    const task = photoMakerTask([face], { numberResults: 2 });
    const reply = await post(emulator, [task]);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toHaveLength(1);
    expect(reply.body.errors?.[0]).toMatchObject({ code: 'processingFailed', taskUUID: task.taskUUID });
  });

  it('answers a sync task whose only generation failed with the error status (503)', async () => {
    await admin(emulator, '/faults', 'PUT', { scripted: [{ fault: { kind: 'generationError' } }] });
    const reply = await post(emulator, [photoMakerTask([face])]);
    expect(reply.status).toBe(503);
    expect(reply.body.errors?.[0]?.code).toBe('inferenceError');
  });
});

describe('getTaskDetails', () => {
  it('returns the archived request and the response so far by taskUUID; an unknown one is taskNotFound', async () => {
    const task = photoMakerTask([face], { deliveryMethod: 'async', numberResults: 2, seed: 7 });
    await post(emulator, [task]);
    const ask = () => post(emulator, [{ taskType: 'getTaskDetails', taskUUID: task.taskUUID }]);
    const early = await ask();
    expect(early.status).toBe(200);
    const [details] = early.body.data ?? [];
    expect(details).toMatchObject({ taskType: 'getTaskDetails', taskUUID: task.taskUUID });
    // The request as sent, its inline image data replaced by a note of its size.
    const [request] = (details?.request ?? []) as Record<string, unknown>[];
    expect(request).toMatchObject({ taskType: 'photoMaker', taskUUID: task.taskUUID, numberResults: 2 });
    expect(request?.inputImages).toEqual([`<${face.length} chars of image data>`]);
    expect((details?.response as { data: unknown[] } | undefined)?.data).toHaveLength(2);

    await pollUntilDone(emulator, String(task.taskUUID), 2);
    const done = (await ask()).body.data?.[0]?.response as { data: Record<string, unknown>[]; errors: [] };
    expect(done.data.map((item) => [item.status, item.seed])).toEqual([
      ['success', '7'],
      ['success', '8'],
    ]);
    expect(done.errors).toEqual([]);
    // Asking costs nothing and is no submission.
    expect(await inspectTask(emulator, String(task.taskUUID))).toMatchObject({ submissions: 1, charges: 2 });

    const unknown = await post(emulator, [
      { taskType: 'getTaskDetails', taskUUID: '2b1d3c4e-5f60-4a71-8b92-a3b4c5d6e7f8' },
    ]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]).toMatchObject({ code: 'taskNotFound', parameter: 'taskUUID' });
    const bad = await post(emulator, [{ taskType: 'getTaskDetails', taskUUID: 'nope' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]).toMatchObject({ parameter: 'taskUUID' });
  });
});

describe('webhookURL', () => {
  it('acks at once and POSTs each result separately, retrying non-2xx answers', async () => {
    receiver.respond = (_request, index) => ({ status: index < 2 ? 500 : 200 });
    const task = photoMakerTask([face], { numberResults: 2, webhookURL: `${receiverUrl}/hook?token=abc` });
    const ack = await post(emulator, [task]);
    expect(ack.body.data).toEqual([{ taskType: 'photoMaker', taskUUID: task.taskUUID }]);
    await receiver.waitFor(4);
    const bodies = receiver.received.map((request) => JSON.parse(request.body.toString()));
    expect(
      receiver.received.every((request) => request.method === 'POST' && request.path === '/hook?token=abc'),
    ).toBe(true);
    expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
    const delivered = new Set(bodies.map((body) => body.data[0].imageUUID));
    expect(delivered.size).toBe(2);
    for (const body of bodies)
      expect(body.data[0]).toMatchObject({ taskType: 'photoMaker', taskUUID: task.taskUUID });
    await expectEventually(async () => (await inspectTask(emulator, String(task.taskUUID))).webhook, {
      attempts: 4,
      delivered: 2,
      failed: 0,
      dropped: 0,
    });
  });

  it('gives up after the configured attempts and says so in the inspection', async () => {
    receiver.respond = () => ({ status: 503 });
    const task = photoMakerTask([face], { webhookURL: `${receiverUrl}/down` });
    await post(emulator, [task]);
    await receiver.waitFor(4);
    await expectEventually(async () => (await inspectTask(emulator, String(task.taskUUID))).webhook, {
      attempts: 4,
      delivered: 0,
      failed: 1,
      dropped: 0,
    });
  });

  it('posts {errors} for a failed generation', async () => {
    await admin(emulator, '/faults', 'PUT', {
      scripted: [{ fault: { kind: 'generationError', code: 'inferenceError' } }],
    });
    const task = photoMakerTask([face], { webhookURL: `${receiverUrl}/hook` });
    await post(emulator, [task]);
    await receiver.waitFor(1);
    const body = JSON.parse(receiver.received[0]?.body.toString() ?? '{}');
    expect(body.errors[0]).toMatchObject({ code: 'inferenceError', taskUUID: task.taskUUID });
  });

  it('webhook faults: duplicate and drop', async () => {
    await admin(emulator, '/faults', 'PUT', { scripted: [{ fault: { kind: 'duplicateFrames' } }] });
    const duplicated = photoMakerTask([face], { webhookURL: `${receiverUrl}/dup` });
    await post(emulator, [duplicated]);
    await receiver.waitFor(2);
    const [first, second] = receiver.received.map(
      (request) => JSON.parse(request.body.toString()).data[0].imageUUID,
    );
    expect(first).toBe(second);

    await admin(emulator, '/faults', 'PUT', { scripted: [{ fault: { kind: 'webhook', drop: true } }] });
    const dropped = photoMakerTask([face], { webhookURL: `${receiverUrl}/drop`, deliveryMethod: 'async' });
    await post(emulator, [dropped]);
    await pollUntilDone(emulator, String(dropped.taskUUID), 1);
    await expectEventually(async () => (await inspectTask(emulator, String(dropped.taskUUID))).webhook, {
      attempts: 0,
      delivered: 0,
      failed: 0,
      dropped: 1,
    });
    expect(receiver.received.filter((request) => request.path === '/drop')).toHaveLength(0);
  });

  it('webhook fault failAttempts: answers are counted as errors, so the target gets the result again', async () => {
    await admin(emulator, '/faults', 'PUT', { scripted: [{ fault: { kind: 'webhook', failAttempts: 2 } }] });
    const task = photoMakerTask([face], { webhookURL: `${receiverUrl}/flaky` });
    await post(emulator, [task]);
    await receiver.waitFor(3);
    const ids = receiver.received.map((request) => JSON.parse(request.body.toString()).data[0].imageUUID);
    expect(new Set(ids).size).toBe(1);
    await expectEventually(async () => (await inspectTask(emulator, String(task.taskUUID))).webhook, {
      attempts: 3,
      delivered: 1,
      failed: 0,
      dropped: 0,
    });
  });
});

describe('uploadEndpoint', () => {
  it('PUTs the raw image bytes of each result', async () => {
    const task = photoMakerTask([face], {
      numberResults: 2,
      outputFormat: 'PNG',
      uploadEndpoint: `${receiverUrl}/bucket/x.png?sig=1`,
    });
    const reply = await post(emulator, [task]);
    expect(reply.status).toBe(200);
    expect(receiver.received).toHaveLength(2);
    for (const request of receiver.received) {
      expect(request.method).toBe('PUT');
      expect(request.path).toBe('/bucket/x.png?sig=1');
      expect(request.headers['content-type']).toBe('image/png');
      const meta = await sharp(request.body).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 128, 128]);
    }
    expect((await inspectTask(emulator, String(task.taskUUID))).upload).toMatchObject({
      attempts: 2,
      delivered: 2,
    });
  });

  it('reports uploadFailed when the endpoint keeps refusing', async () => {
    receiver.respond = () => ({ status: 403 });
    const task = photoMakerTask([face], { uploadEndpoint: `${receiverUrl}/denied` });
    const reply = await post(emulator, [task]);
    expect(reply.body.errors?.[0]).toMatchObject({ code: 'uploadFailed', taskUUID: task.taskUUID });
    expect(receiver.received).toHaveLength(4);
  });
});

async function expectEventually(
  read: () => Promise<unknown>,
  expected: unknown,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(last).toEqual(expected);
}
