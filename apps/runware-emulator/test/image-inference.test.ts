import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, imageInferenceTask, photoMakerTask } from './helpers/fixtures.ts';
import { inspectTask, pollUntilDone, post } from './helpers/rest.ts';
import { forTask, WsClient } from './helpers/ws-client.ts';

// Runware's current schema runs PhotoMaker as an SDXL imageInference task with a nested `photoMaker`
//; the emulator takes it beside the standalone task, by the same rules.

let emulator: Emulator;
let face: string;

beforeAll(async () => {
  emulator = await startEmulator({ latency: { imageMs: 60, parallelism: 1 } });
  face = dataUri(await facePng('a'));
});
afterAll(() => emulator.close());

describe('imageInference with a nested photoMaker', () => {
  it('runs a sync task like the standalone one, every result echoing imageInference', async () => {
    const nested = imageInferenceTask([face], {
      photoMaker: { images: [face], style: 'Cinematic', strength: 30 },
      numberResults: 2,
      seed: 7,
    });
    const reply = await post(emulator, [nested]);
    expect(reply.status).toBe(200);
    expect(reply.body.data?.map((item) => [item.taskType, item.taskUUID, item.seed])).toEqual([
      ['imageInference', nested.taskUUID, '7'],
      ['imageInference', nested.taskUUID, '8'],
    ]);
    const standalone = photoMakerTask([face], {
      style: 'Cinematic',
      strength: 30,
      numberResults: 2,
      seed: 7,
    });
    const flat = await post(emulator, [standalone]);
    expect(flat.body.data?.map((item) => item.taskType)).toEqual(['photoMaker', 'photoMaker']);
    // Same parameters, same job: the same images, byte for byte.
    const bytes = async (url: unknown) => Buffer.from(await (await fetch(String(url))).arrayBuffer());
    expect(
      (await bytes(reply.body.data?.[0]?.imageURL)).equals(await bytes(flat.body.data?.[0]?.imageURL)),
    ).toBe(true);
  });

  it('takes the images from inputs.referenceImages, acks async, and getResponse echoes the form', async () => {
    const task = imageInferenceTask([face], {
      photoMaker: { style: 'Photographic' },
      inputs: { referenceImages: [face] },
      deliveryMethod: 'async',
    });
    const ack = await post(emulator, [task]);
    expect(ack.body.data).toEqual([{ taskType: 'imageInference', taskUUID: task.taskUUID }]);
    const snapshots = await pollUntilDone(emulator, String(task.taskUUID), 1);
    const last = snapshots.at(-1)?.body.data ?? [];
    expect(last.map((item) => [item.taskType, item.status])).toEqual([['imageInference', 'success']]);
    expect((await inspectTask(emulator, String(task.taskUUID))).taskType).toBe('imageInference');
  });

  it('refuses an imageInference task without photoMaker: this platform runs PhotoMaker jobs', async () => {
    const { photoMaker: _photoMaker, ...plain } = imageInferenceTask([face]);
    const reply = await post(emulator, [plain]);
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      expect.objectContaining({
        code: 'missingPhotoMaker',
        parameter: 'photoMaker',
        taskType: 'imageInference',
        taskUUID: plain.taskUUID,
        message: expect.stringContaining('this platform runs PhotoMaker jobs'),
      }),
    ]);
  });

  it('names the nested path at fault, with the standalone limits', async () => {
    const bad = imageInferenceTask([face], {
      photoMaker: { images: [face, face, 'ftp://example.com/x.png'], strength: 60 },
      lora: [{ model: 'civitai:1@1', weight: 7 }],
    });
    const reply = await post(emulator, [bad]);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.map((e) => [e.code, e.parameter])).toEqual([
      ['invalidPhotoMakerImages', 'photoMaker.images'],
      ['invalidPhotoMakerStrength', 'photoMaker.strength'],
      ['invalidLoraWeight', 'lora.weight'],
    ]);
    expect(String(reply.body.errors?.[0]?.message)).toContain('photoMaker.images[2]');
  });

  it('honours LoRAs in either form: the image carries them, refused outside their rule', async () => {
    const lora = [{ model: 'civitai:58390@62833', weight: 1.5 }];
    const plain = await post(emulator, [imageInferenceTask([face], { seed: 3 })]);
    const withLora = await post(emulator, [imageInferenceTask([face], { seed: 3, lora })]);
    const standalone = await post(emulator, [photoMakerTask([face], { seed: 3, lora })]);
    const bytes = async (reply: typeof plain) =>
      Buffer.from(await (await fetch(String(reply.body.data?.[0]?.imageURL))).arrayBuffer());
    expect((await bytes(withLora)).equals(await bytes(plain))).toBe(false);
    expect((await bytes(withLora)).equals(await bytes(standalone))).toBe(true);
  });

  it('pushes each result over WebSocket with the imageInference taskType', async () => {
    const { client } = await WsClient.session(emulator.wsUrl, KEY);
    try {
      const task = imageInferenceTask([face], { numberResults: 2 });
      client.send([task]);
      for (let i = 0; i < 2; i++) await client.next(forTask(String(task.taskUUID)));
      const items = client.framesFor(String(task.taskUUID)).flatMap((frame) => frame.data ?? []);
      expect(items.map((item) => item.taskType)).toEqual(['imageInference', 'imageInference']);
    } finally {
      client.close();
    }
  });
});
