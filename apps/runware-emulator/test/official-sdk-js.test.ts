import { Runware } from '@runware/sdk-js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, MODEL } from './helpers/fixtures.ts';
import { inspectTask } from './helpers/rest.ts';

// The legacy official JS SDK (@runware/sdk-js 1.3.2, WebSocket, sync delivery), pointed at the emulator
// through its documented `url` option and otherwise used exactly as its README shows.
let emulator: Emulator;
let face: string;
const clients: InstanceType<typeof Runware>[] = [];

function connect(apiKey = KEY) {
  const client = new Runware({
    apiKey,
    url: emulator.wsUrl,
    shouldReconnect: false,
    timeoutDuration: 20_000,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  emulator = await startEmulator();
  face = dataUri(await facePng('b'));
});
afterAll(async () => {
  for (const client of clients) await client.disconnect();
  await emulator.close();
});

describe('@runware/sdk-js 1.3.2 against the emulator', () => {
  it('imageUpload, then photoMaker with the uploaded UUID', async () => {
    const runware = connect();
    await runware.ensureConnection();
    const upload = await runware.imageUpload({ image: face });
    expect(upload).toMatchObject({ taskType: 'imageUpload' });
    const imageUUID = String((upload as unknown as { imageUUID: string }).imageUUID);
    const images = await runware.photoMaker({
      positivePrompt: 'a portrait in a garden',
      inputImages: [imageUUID],
      style: 'Neonpunk' as never,
      strength: 30,
      width: 192,
      height: 128,
      numberResults: 2,
      model: MODEL,
      outputFormat: 'WEBP',
      includeCost: true,
    } as never);
    expect(images).toHaveLength(2);
    for (const image of images ?? []) {
      expect(image).toMatchObject({ taskType: 'photoMaker', inputImagesUUID: [imageUUID] });
      const response = await fetch(String(image.imageURL));
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', 192, 128]);
    }
    const taskUUID = String(images?.[0]?.taskUUID);
    expect(await inspectTask(emulator, taskUUID)).toMatchObject({
      generations: 2,
      charges: 2,
      transport: 'ws',
    });
  });

  it('photoMaker with inline data URIs and its own seed', async () => {
    const runware = connect();
    const images = await runware.photoMaker({
      positivePrompt: 'rwre, astronaut',
      inputImages: [face, dataUri(await facePng('c'))],
      style: 'Line art' as never,
      width: 128,
      height: 128,
      numberResults: 1,
      model: MODEL,
      seed: 123456789,
    } as never);
    expect(images?.[0]?.seed).toBe(123456789);
  });

  it('delivers Runware errors (validation) to the caller', async () => {
    const runware = connect();
    const errors: unknown[] = [];
    // sdk-js 1.3.2's photoMaker resolves undefined on an API error (its own catch swallows errors that
    // carry no top-level taskUUID); the error itself reaches the caller through onPartialImages.
    const result = await runware.photoMaker({
      positivePrompt: 'a portrait',
      inputImages: [face],
      style: 'No style' as never,
      strength: 99,
      width: 128,
      height: 128,
      numberResults: 1,
      model: MODEL,
      onPartialImages: (_images: unknown, error: unknown) => {
        if (error) errors.push(error);
      },
    } as never);
    expect(result).toBeUndefined();
    expect(errors).toEqual([
      { error: expect.objectContaining({ code: 'invalidStrength', parameter: 'strength' }) },
    ]);
  });

  it('refuses a wrong key at connection time', async () => {
    const runware = connect('wrong-key');
    await expect(runware.ensureConnection()).rejects.toMatchObject({ error: { code: 'invalidApiKey' } });
  });
});
