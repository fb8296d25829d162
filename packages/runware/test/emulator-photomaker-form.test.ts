import { randomUUID } from 'node:crypto';
import { RunwareSocket } from '@photomaker/runware/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import { RunwareApiError } from '../src/errors.ts';
import { EMULATOR_KEY, Emulator, referencePng } from './support/emulator.ts';

// photoMakerForm: the same calls send the standalone task or imageInference with a nested photoMaker
//, against the real emulator; results, images and errors are the same.
let emulator: Emulator;
let reference: string;
const clients: RunwareClient[] = [];

const base = (extra: Record<string, unknown> = {}) => ({
  taskUUID: randomUUID(),
  inputImages: [reference],
  positivePrompt: 'portrait photo, soft light',
  model: 'civitai:139562@344487',
  width: 256,
  height: 256,
  steps: 4,
  style: 'Cinematic' as const,
  strength: 25,
  ...extra,
});

function client(photoMakerForm: 'task' | 'nested'): RunwareClient {
  const made = new RunwareClient({
    baseUrl: emulator.restUrl,
    apiKey: EMULATOR_KEY,
    poll: { initialDelayMs: 20 },
    photoMakerForm,
  });
  clients.push(made);
  return made;
}

beforeAll(async () => {
  emulator = await Emulator.start();
  reference = await referencePng();
});

afterAll(async () => {
  for (const made of clients) await made.close();
  await emulator?.stop();
});

describe.each(['task', 'nested'] as const)('photoMakerForm %s', (form) => {
  const sentAs = form === 'task' ? 'photoMaker' : 'imageInference';

  it(`sends sync tasks as ${sentAs}, with LoRAs, and gets every image`, async () => {
    const task = base({ numberResults: 2, seed: 11, lora: [{ model: 'civitai:58390@62833', weight: 0.7 }] });
    const results = await client(form).photoMaker(task);
    expect(results.map((result) => [result.taskType, result.seed])).toEqual([
      [sentAs, '11'],
      [sentAs, '12'],
    ]);
    expect((await emulator.task(task.taskUUID)).taskType).toBe(sentAs);
  });

  it(`submits async as ${sentAs} and collects the images through getResponse`, async () => {
    const task = base({ numberResults: 3 });
    const run = await client(form).runPhotoMaker(task, { mode: 'async' });
    expect(run.results).toHaveLength(3);
    expect(run.via).toBe('getResponse');
    expect(new Set(run.results.map((result) => result.taskType))).toEqual(new Set([sentAs]));
    expect((await emulator.task(task.taskUUID)).taskType).toBe(sentAs);
  });

  it('refuses a bad strength before sending, naming the standalone parameter', async () => {
    const error = await client(form)
      .photoMaker(base({ strength: 70 }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ category: 'validation', parameter: 'strength' });
  });

  it('the emulator refuses a LoRA outside its rule when the client does not check', async () => {
    const task = base({ lora: [{ model: 'civitai:1@1', weight: 9 }] });
    const error = await client(form)
      .photoMaker(task, { validate: false, retry: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ code: 'invalidLoraWeight', retryable: false });
  });

  it(`pushes the images of a socket task sent as ${sentAs}`, async () => {
    const socket = new RunwareSocket({ url: emulator.wsUrl, apiKey: EMULATOR_KEY, photoMakerForm: form });
    try {
      const task = base({ numberResults: 2 });
      const results = await socket.photoMaker(task);
      expect(results.map((result) => result.taskType)).toEqual([sentAs, sentAs]);
      expect((await emulator.task(task.taskUUID)).taskType).toBe(sentAs);
    } finally {
      await socket.close();
    }
  });
});
