import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PhotoMakerRequest, RunwareClient } from '../src/client.ts';
import { RunwareApiError, RunwareValidationError } from '../src/errors.ts';
import { EMULATOR_KEY, Emulator, referencePng } from './support/emulator.ts';

// Every validation rule, sent unchecked to the real emulator: each must come back as a non-retryable
// RunwareApiError naming the code and parameter, and the client's own check must say the same.
let emulator: Emulator;
let client: RunwareClient;
let reference: string;

const valid = (): Record<string, unknown> => ({
  inputImages: [reference],
  positivePrompt: 'portrait photo, soft light',
  model: 'civitai:139562@344487',
  width: 256,
  height: 256,
  steps: 4,
});

beforeAll(async () => {
  emulator = await Emulator.start();
  client = new RunwareClient({ baseUrl: emulator.restUrl, apiKey: EMULATOR_KEY, retry: false });
  reference = await referencePng();
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

const GIF = `data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==`;
const omit = (name: string) => (task: Record<string, unknown>) => {
  delete task[name];
};
const set = (name: string, value: unknown) => (task: Record<string, unknown>) => {
  task[name] = value;
};

// [what, code, parameter, change]
const RULES: [string, string, string, (task: Record<string, unknown>) => void][] = [
  ['inputImages missing', 'missingInputImages', 'inputImages', omit('inputImages')],
  ['inputImages empty', 'invalidInputImages', 'inputImages', set('inputImages', [])],
  [
    'inputImages more than 4',
    'invalidInputImages',
    'inputImages',
    (t) => set('inputImages', Array(5).fill(reference))(t),
  ],
  ['inputImages not an image', 'invalidInputImages', 'inputImages', set('inputImages', ['hello there'])],
  ['inputImages a GIF', 'invalidInputImages', 'inputImages', set('inputImages', [GIF])],
  [
    'inputImages ftp URL',
    'invalidInputImages',
    'inputImages',
    set('inputImages', ['ftp://example.com/a.png']),
  ],
  ['style unknown', 'invalidStyle', 'style', set('style', 'Vaporwave')],
  ['style wrong casing', 'invalidStyle', 'style', set('style', 'no style')],
  ['strength below 15', 'invalidStrength', 'strength', set('strength', 14)],
  ['strength above 50', 'invalidStrength', 'strength', set('strength', 51)],
  ['strength not an integer', 'invalidStrength', 'strength', set('strength', 20.5)],
  ['positivePrompt missing', 'missingPositivePrompt', 'positivePrompt', omit('positivePrompt')],
  ['positivePrompt 1 char', 'invalidPositivePrompt', 'positivePrompt', set('positivePrompt', 'a')],
  [
    'positivePrompt 301 chars',
    'invalidPositivePrompt',
    'positivePrompt',
    set('positivePrompt', 'a'.repeat(301)),
  ],
  ['negativePrompt 1 char', 'invalidNegativePrompt', 'negativePrompt', set('negativePrompt', 'x')],
  [
    'negativePrompt 3001 chars',
    'invalidNegativePrompt',
    'negativePrompt',
    set('negativePrompt', 'x'.repeat(3001)),
  ],
  ['width missing', 'missingWidth', 'width', omit('width')],
  ['width below 128', 'invalidWidth', 'width', set('width', 64)],
  ['width above 2048', 'invalidWidth', 'width', set('width', 2112)],
  ['width not /64', 'invalidWidth', 'width', set('width', 500)],
  ['height missing', 'missingHeight', 'height', omit('height')],
  ['height not /64', 'invalidHeight', 'height', set('height', 300)],
  ['height above 2048', 'invalidHeight', 'height', set('height', 4096)],
  ['model missing', 'missingModel', 'model', omit('model')],
  ['model not an AIR', 'invalidModel', 'model', set('model', 'realvis-xl')],
  ['steps 0', 'invalidSteps', 'steps', set('steps', 0)],
  ['steps 101', 'invalidSteps', 'steps', set('steps', 101)],
  ['scheduler empty', 'invalidScheduler', 'scheduler', set('scheduler', '')],
  ['CFGScale below 0', 'invalidCFGScale', 'CFGScale', set('CFGScale', -0.5)],
  ['CFGScale above 50', 'invalidCFGScale', 'CFGScale', set('CFGScale', 50.5)],
  ['clipSkip 3', 'invalidClipSkip', 'clipSkip', set('clipSkip', 3)],
  ['seed 0', 'invalidSeed', 'seed', set('seed', 0)],
  ['seed 2^63', 'invalidSeed', 'seed', set('seed', '9223372036854775808')],
  ['seed not a number', 'invalidSeed', 'seed', set('seed', 'abc')],
  ['numberResults 0', 'invalidNumberResults', 'numberResults', set('numberResults', 0)],
  ['numberResults 21', 'invalidNumberResults', 'numberResults', set('numberResults', 21)],
  ['outputType unknown', 'invalidOutputType', 'outputType', set('outputType', 'PNG')],
  ['outputFormat unknown', 'invalidOutputFormat', 'outputFormat', set('outputFormat', 'GIF')],
  ['outputQuality 19', 'invalidOutputQuality', 'outputQuality', set('outputQuality', 19)],
  ['outputQuality 100', 'invalidOutputQuality', 'outputQuality', set('outputQuality', 100)],
  ['includeCost not boolean', 'invalidIncludeCost', 'includeCost', set('includeCost', 'yes')],
  ['safety.mode unknown', 'invalidSafetyMode', 'safety.mode', set('safety', { mode: 'max' })],
  [
    'safety.checkContent not boolean',
    'invalidSafetyCheckContent',
    'safety.checkContent',
    set('safety', { checkContent: 'yes' }),
  ],
  ['webhookURL not http', 'invalidWebhookURL', 'webhookURL', set('webhookURL', 'ftp://example.com/hook')],
  ['uploadEndpoint not a URL', 'invalidUploadEndpoint', 'uploadEndpoint', set('uploadEndpoint', 'somewhere')],
  ['ttl below 60', 'invalidTtl', 'ttl', set('ttl', 59)],
  ['taskUUID not a UUID v4', 'invalidTaskUUID', 'taskUUID', set('taskUUID', 'task-1')],
];

describe('photoMaker validation: server and client agree', () => {
  it.each(RULES)('%s -> %s (%s)', async (_what, code, parameter, change) => {
    const task = valid();
    change(task);
    const before = (await emulator.inspect()).taskTypes.photoMaker ?? 0;
    const local = await client.photoMaker(task as PhotoMakerRequest).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(RunwareValidationError);
    expect(local).toMatchObject({ code, parameter, category: 'validation', retryable: false });
    expect((await emulator.inspect()).taskTypes.photoMaker ?? 0).toBe(before); // nothing was sent

    const remote = await client
      .photoMaker(task as PhotoMakerRequest, { validate: false })
      .catch((e: unknown) => e);
    expect(remote).toBeInstanceOf(RunwareApiError);
    expect(remote).toMatchObject({ status: 400, code, parameter, category: 'validation', retryable: false });
    expect((remote as RunwareApiError).errors[0]?.message).toMatch(/must be/);
  });

  it('several invalid parameters come back together', async () => {
    const task = { ...valid(), strength: 99, width: 100 };
    const remote = (await client
      .photoMaker(task as PhotoMakerRequest, { validate: false })
      .catch((e: unknown) => e)) as RunwareApiError;
    expect(remote.errors.map((e) => e.code).sort()).toEqual(['invalidStrength', 'invalidWidth']);
  });

  it('a non-SDXL model passes the schema but the server refuses it', async () => {
    const error = await client
      .photoMaker({ ...valid(), model: 'runware:101@1' } as PhotoMakerRequest)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalidModel', parameter: 'model', retryable: false });
  });

  it('an unsupported deliveryMethod and taskType are refused by name', async () => {
    const response = await client.request([
      { ...valid(), taskType: 'photoMaker', taskUUID: randomUUID(), deliveryMethod: 'stream' },
      { taskType: 'videoInference', taskUUID: randomUUID() },
    ]);
    expect(response.status).toBe(400);
    expect(response.errors.map((e) => [e.code, e.parameter])).toEqual([
      ['invalidDeliveryMethod', 'deliveryMethod'],
      ['unsupportedTaskType', 'taskType'],
    ]);
  });
});

describe('other tasks and account rules', () => {
  it('imageUpload of something that is not an image', async () => {
    const error = await client.imageUpload({ image: GIF }, { validate: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalidImage', parameter: 'image', retryable: false });
  });

  it('getResponse with a malformed taskUUID', async () => {
    const error = await client.getResponse('nope', { validate: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'RunwareApiError',
      status: 400,
      code: 'invalidTaskUUID',
      parameter: 'taskUUID',
    });
  });

  it('an empty balance is a quota error (402), not retryable, and nothing is charged', async () => {
    await emulator.setBalance(0);
    try {
      const taskUUID = randomUUID();
      const error = await client
        .photoMaker({ ...valid(), taskUUID } as PhotoMakerRequest)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        status: 402,
        code: 'insufficientCredits',
        category: 'quota',
        retryable: false,
      });
      await expect(emulator.task(taskUUID)).rejects.toThrow(/404/);
    } finally {
      await emulator.setBalance(1000);
    }
  });
});
