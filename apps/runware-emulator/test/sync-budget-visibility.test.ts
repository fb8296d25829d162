import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask } from './helpers/fixtures.ts';
import { Receiver } from './helpers/receiver.ts';
import { admin, inspectTask, pollUntilDone, post } from './helpers/rest.ts';
import { forTask, WsClient } from './helpers/ws-client.ts';

// Images one at a time, 250 ms each; the WS sync budget shrunk from 120 s to 400 ms so it bites.
let emulator: Emulator;
let face: string;
let receiver: Receiver;
let receiverUrl: string;

beforeAll(async () => {
  emulator = await startEmulator({ latency: { imageMs: 250, parallelism: 1 }, wsSyncTimeoutMs: 400 });
  face = dataUri(await facePng('b'));
  receiver = new Receiver();
  receiverUrl = await receiver.start();
});
afterEach(async () => {
  await admin(emulator, '/faults', 'DELETE');
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

describe('the WebSocket sync budget', () => {
  it('answers timeout past the budget; the task keeps running and getResponse returns every image', async () => {
    const { client } = await WsClient.session(emulator.wsUrl, KEY);
    const task = photoMakerTask([face], { numberResults: 4 });
    const taskUUID = String(task.taskUUID);
    client.send([task]);
    const timeout = await client.next((frame) => frame.errors?.[0]?.taskUUID === taskUUID, 5_000);
    expect(timeout.errors?.[0]).toMatchObject({ code: 'timeout', taskType: 'photoMaker', taskUUID });
    // Pushed before the budget ran out: the first image (250 ms), not all four (1 s).
    const pushed = client.framesFor(taskUUID).filter((frame) => frame.data?.[0]?.imageUUID);
    expect(pushed.length).toBeGreaterThanOrEqual(1);
    expect(pushed.length).toBeLessThan(4);
    const snapshots = await pollUntilDone(emulator, taskUUID, 4);
    const final = snapshots.at(-1)?.body.data ?? [];
    expect(final.filter((item) => item.status === 'success')).toHaveLength(4);
    // Nothing more is pushed for the task after its timeout answer.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.framesFor(taskUUID).filter((frame) => frame.data?.[0]?.imageUUID)).toHaveLength(
      pushed.length,
    );
    expect(await inspectTask(emulator, taskUUID)).toMatchObject({ charges: 4, submissions: 1 });
    client.close();
  });

  it('a task that finishes within the budget gets every image and no timeout', async () => {
    const { client } = await WsClient.session(emulator.wsUrl, KEY);
    const task = photoMakerTask([face]);
    const frame = await client.request([task], forTask(String(task.taskUUID)));
    expect(frame.data?.[0]?.imageUUID).toEqual(expect.any(String));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.framesFor(String(task.taskUUID)).some((f) => f.errors)).toBe(false);
    client.close();
  });
});

describe('the invisible fault: an accepted task not yet readable', () => {
  it('answers taskNotFound for the next polls, then the task', async () => {
    await admin(emulator, '/faults', 'PUT', {
      scripted: [{ match: { taskType: 'photoMaker' }, fault: { kind: 'invisible', polls: 2 } }],
    });
    const task = photoMakerTask([face], { deliveryMethod: 'async' });
    expect((await post(emulator, [task])).status).toBe(200);
    const poll = () => post(emulator, [{ taskType: 'getResponse', taskUUID: task.taskUUID }]);
    for (let i = 0; i < 2; i++) {
      const reply = await poll();
      expect(reply.status).toBe(404);
      expect(reply.body.errors?.[0]).toMatchObject({ code: 'taskNotFound', taskUUID: task.taskUUID });
    }
    const visible = await poll();
    expect(visible.status).toBe(200);
    expect(visible.body.data?.[0]?.taskUUID).toBe(task.taskUUID);
  });

  it('getTaskDetails still finds it (there taskNotFound means never accepted) and spends no hidden poll', async () => {
    await admin(emulator, '/faults', 'PUT', {
      scripted: [{ match: { taskType: 'photoMaker' }, fault: { kind: 'invisible', polls: 1 } }],
    });
    const task = photoMakerTask([face], { deliveryMethod: 'async' });
    expect((await post(emulator, [task])).status).toBe(200);
    const details = await post(emulator, [{ taskType: 'getTaskDetails', taskUUID: task.taskUUID }]);
    expect(details.status).toBe(200);
    expect(details.body.data?.[0]).toMatchObject({ taskType: 'getTaskDetails', taskUUID: task.taskUUID });
    const poll = await post(emulator, [{ taskType: 'getResponse', taskUUID: task.taskUUID }]);
    expect(poll.body.errors?.[0]).toMatchObject({ code: 'taskNotFound', taskUUID: task.taskUUID });
  });
});

describe('deliveries per image', () => {
  it("posts each image's webhook and PUTs its upload as that image finishes, not at the end", async () => {
    receiver.received.length = 0;
    const task = photoMakerTask([face], {
      numberResults: 3,
      webhookURL: `${receiverUrl}/hook`,
      uploadEndpoint: `${receiverUrl}/upload`,
    });
    const taskUUID = String(task.taskUUID);
    await post(emulator, [task]);
    // The first image's PUT and POST arrive while the later images are still being generated.
    await receiver.waitFor(2, 5_000);
    const early = await inspectTask(emulator, taskUUID);
    expect(early.status).toBe('processing');
    expect(receiver.received.map((request) => request.method).sort()).toEqual(['POST', 'PUT']);
    await receiver.waitFor(6, 5_000);
    const posted = receiver.received
      .filter((request) => request.method === 'POST')
      .map((request) => JSON.parse(request.body.toString()).data[0].seed);
    expect(new Set(posted).size).toBe(3);
  });
});
