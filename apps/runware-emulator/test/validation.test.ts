import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { Receiver } from './helpers/receiver.ts';
import { admin, post } from './helpers/rest.ts';

let emulator: Emulator;
let face: string;
let receiver: Receiver;
let receiverUrl: string;

beforeAll(async () => {
  emulator = await startEmulator();
  face = dataUri(await facePng('a'));
  receiver = new Receiver();
  receiver.respond = (request) =>
    request.path === '/text.png' ? { status: 200, body: 'not an image' } : { status: 404, body: 'gone' };
  receiverUrl = await receiver.start();
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

type Case = [name: string, overrides: Record<string, unknown>, code: string, parameter: string];

// One row per rule family of the photoMaker task: each must reach the caller as its own Runware error.
const CASES: Case[] = [
  ['missing inputImages', { inputImages: undefined }, 'missingInputImages', 'inputImages'],
  ['no inputImages', { inputImages: [] }, 'invalidInputImages', 'inputImages'],
  ['five inputImages', { inputImages: 'five' }, 'invalidInputImages', 'inputImages'],
  ['malformed data URI', { inputImages: ['data:image/png;base64,@@@'] }, 'invalidInputImages', 'inputImages'],
  [
    'gif data URI',
    { inputImages: ['data:image/gif;base64,R0lGODlhAQABAAAAACw='] },
    'invalidInputImages',
    'inputImages',
  ],
  ['unknown image UUID', { inputImages: ['uuid'] }, 'invalidInputImages', 'inputImages'],
  ['ftp URL', { inputImages: ['ftp://example.com/a.png'] }, 'invalidInputImages', 'inputImages'],
  ['URL answering 404', { inputImages: ['url:/missing.png'] }, 'invalidInputImages', 'inputImages'],
  ['URL that is not an image', { inputImages: ['url:/text.png'] }, 'invalidInputImages', 'inputImages'],
  ['unknown style', { style: 'Watercolor' }, 'invalidStyle', 'style'],
  ['strength below 15', { strength: 14 }, 'invalidStrength', 'strength'],
  ['strength not an integer', { strength: 20.5 }, 'invalidStrength', 'strength'],
  ['missing prompt', { positivePrompt: undefined }, 'missingPositivePrompt', 'positivePrompt'],
  ['prompt too short', { positivePrompt: 'a' }, 'invalidPositivePrompt', 'positivePrompt'],
  ['prompt too long', { positivePrompt: 'x'.repeat(301) }, 'invalidPositivePrompt', 'positivePrompt'],
  [
    'negative prompt too long',
    { negativePrompt: 'x'.repeat(3001) },
    'invalidNegativePrompt',
    'negativePrompt',
  ],
  ['width not a multiple of 64', { width: 500 }, 'invalidWidth', 'width'],
  ['height above 2048', { height: 2112 }, 'invalidHeight', 'height'],
  ['missing height', { height: undefined }, 'missingHeight', 'height'],
  ['model not an AIR', { model: 'realvis' }, 'invalidModel', 'model'],
  ['model not SDXL', { model: 'runware:101@1' }, 'invalidModel', 'model'],
  ['steps above 100', { steps: 101 }, 'invalidSteps', 'steps'],
  ['CFGScale above 50', { CFGScale: 51 }, 'invalidCFGScale', 'CFGScale'],
  ['clipSkip 3', { clipSkip: 3 }, 'invalidClipSkip', 'clipSkip'],
  ['seed 0', { seed: 0 }, 'invalidSeed', 'seed'],
  ['seed above 2^63-1', { seed: '9223372036854775808' }, 'invalidSeed', 'seed'],
  ['numberResults 21', { numberResults: 21 }, 'invalidNumberResults', 'numberResults'],
  ['outputType unknown', { outputType: 'file' }, 'invalidOutputType', 'outputType'],
  ['outputFormat GIF', { outputFormat: 'GIF' }, 'invalidOutputFormat', 'outputFormat'],
  ['outputQuality 100', { outputQuality: 100 }, 'invalidOutputQuality', 'outputQuality'],
  ['includeCost not boolean', { includeCost: 'yes' }, 'invalidIncludeCost', 'includeCost'],
  ['safety mode unknown', { safety: { mode: 'strict' } }, 'invalidSafetyMode', 'safety.mode'],
  ['webhookURL not http', { webhookURL: 'mailto:a@b.c' }, 'invalidWebhookURL', 'webhookURL'],
  ['uploadEndpoint not a URL', { uploadEndpoint: 'bucket' }, 'invalidUploadEndpoint', 'uploadEndpoint'],
  ['ttl below 60', { ttl: 59 }, 'invalidTtl', 'ttl'],
  ['deliveryMethod stream', { deliveryMethod: 'stream' }, 'invalidDeliveryMethod', 'deliveryMethod'],
  ['taskUUID not a v4 UUID', { taskUUID: 'task-1' }, 'invalidTaskUUID', 'taskUUID'],
];

function resolveImages(value: unknown): unknown {
  if (value === 'five') return [face, face, face, face, face];
  if (!Array.isArray(value)) return value;
  return value.map((item) =>
    item === 'uuid'
      ? uuid()
      : typeof item === 'string' && item.startsWith('url:')
        ? receiverUrl + item.slice(4)
        : item,
  );
}

describe('photoMaker validation: every rule family is a Runware error that starts nothing', () => {
  it.each(CASES)('%s -> %s', async (_name, overrides, code, parameter) => {
    const task = photoMakerTask([face], {
      ...overrides,
      inputImages: resolveImages(overrides.inputImages ?? [face]),
    });
    if ('inputImages' in overrides && overrides.inputImages === undefined) delete task.inputImages;
    for (const [key, value] of Object.entries(overrides))
      if (value === undefined && key !== 'inputImages') delete task[key];
    const before = (await admin<{ balance: number }>(emulator, '/inspect')).body.balance;
    const reply = await post(emulator, [task]);
    expect(reply.status).toBe(400);
    const error = reply.body.errors?.find((candidate) => candidate.parameter === parameter);
    expect(error, JSON.stringify(reply.body.errors)).toMatchObject({
      code,
      parameter,
      taskType: 'photoMaker',
    });
    expect(String(error?.message)).toContain(parameter.split('.')[0]);
    expect(reply.body.data).toBeUndefined();
    const after = await admin<{ balance: number; tasks: Record<string, unknown> }>(emulator, '/inspect');
    expect(after.body.balance).toBe(before);
    expect(after.body.tasks[String(task.taskUUID)]).toBeUndefined();
  });

  it('reports every bad parameter of one task, not just the first', async () => {
    const reply = await post(emulator, [photoMakerTask([face], { strength: 1, steps: 0, style: 'x' })]);
    expect(reply.body.errors?.map((error) => error.parameter).sort()).toEqual(['steps', 'strength', 'style']);
  });

  it('never echoes the offending value (prompts and images are private)', async () => {
    const reply = await post(emulator, [
      photoMakerTask([face], { positivePrompt: `secret ${'y'.repeat(300)}` }),
    ]);
    expect(JSON.stringify(reply.body)).not.toContain('secret');
  });

  it('accepts a task once a rejected one is fixed, under the same taskUUID', async () => {
    const task = photoMakerTask([face], { strength: 5 });
    expect((await post(emulator, [task])).status).toBe(400);
    task.strength = 20;
    const reply = await post(emulator, [task]);
    expect(reply.status).toBe(200);
    expect(reply.body.data?.[0]?.taskUUID).toBe(task.taskUUID);
  });

  it('accepts the legacy one-element outputType array', async () => {
    const reply = await post(emulator, [photoMakerTask([face], { outputType: ['base64Data'] })]);
    expect(reply.status).toBe(200);
    expect(typeof reply.body.data?.[0]?.imageBase64Data).toBe('string');
  });
});

describe('imageUpload and getResponse validation', () => {
  it.each([
    ['missing image', {}, 'missingImage'],
    ['a UUID instead of data', { image: '3b241101-e2bb-4255-8caf-4136c566a962' }, 'invalidImage'],
    ['plain text', { image: 'hello there' }, 'invalidImage'],
  ])('imageUpload with %s -> %s', async (_name, fields, code) => {
    const reply = await post(emulator, [{ taskType: 'imageUpload', taskUUID: uuid(), ...fields }]);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.[0]).toMatchObject({ code, parameter: 'image', taskType: 'imageUpload' });
  });

  it('getResponse needs a v4 taskUUID and knows only accepted tasks', async () => {
    const bad = await post(emulator, [{ taskType: 'getResponse', taskUUID: 'x' }]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.code).toBe('invalidTaskUUID');
    const unknown = await post(emulator, [{ taskType: 'getResponse', taskUUID: uuid() }]);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]?.code).toBe('taskNotFound');
  });
});
