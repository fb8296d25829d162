import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { admin, inspectTask, post } from './helpers/rest.ts';

let emulator: Emulator;
let face: string;

beforeAll(async () => {
  emulator = await startEmulator();
  face = dataUri(await facePng('a'));
});
afterAll(() => emulator.close());

describe('POST /v1 authentication', () => {
  it('accepts Authorization: Bearer', async () => {
    const reply = await post(emulator, [{ taskType: 'ping', ping: true }]);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual([{ taskType: 'ping', pong: true }]);
  });

  it('accepts a leading authentication task instead of the header', async () => {
    const reply = await post(
      emulator,
      [
        { taskType: 'authentication', apiKey: KEY },
        { taskType: 'ping', ping: true },
      ],
      {
        key: null,
      },
    );
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual([{ taskType: 'ping', pong: true }]);
  });

  it('answers 401 missingApiKey without any key and 401 invalidApiKey for a wrong key', async () => {
    const missing = await post(emulator, [{ taskType: 'ping', ping: true }], { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.errors?.[0]).toMatchObject({ code: 'missingApiKey', parameter: 'apiKey' });
    const wrong = await post(emulator, [{ taskType: 'ping', ping: true }], { key: 'not-a-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors?.[0]).toMatchObject({ code: 'invalidApiKey', parameter: 'apiKey' });
    expect(JSON.stringify(wrong.body)).not.toContain('not-a-key');
    const wrongTask = await post(
      emulator,
      [{ taskType: 'authentication', apiKey: 'nope' }, { taskType: 'ping' }],
      {
        key: null,
      },
    );
    expect(wrongTask.status).toBe(401);
    expect(wrongTask.body.errors?.[0]?.code).toBe('invalidApiKey');
  });
});

describe('POST /v1 request shape', () => {
  it('rejects a body that is not JSON, or not an array, with 400', async () => {
    const notJson = await post(emulator, undefined, { raw: '{nope' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors?.[0]?.code).toBe('invalidJson');
    const notArray = await post(emulator, { taskType: 'ping' });
    expect(notArray.status).toBe(400);
    expect(notArray.body.errors?.[0]?.code).toBe('invalidRequestBody');
  });

  it('names unknown and missing task types', async () => {
    const reply = await post(emulator, [
      { taskType: 'imageUpscale', taskUUID: uuid() },
      { taskUUID: uuid() },
    ]);
    expect(reply.status).toBe(400);
    expect(reply.body.errors?.map((error) => error.code)).toEqual(['unsupportedTaskType', 'missingTaskType']);
    expect(reply.body.errors?.[0]?.parameter).toBe('taskType');
  });

  it('answers several tasks in one request, matched by taskUUID, with data and errors together', async () => {
    const upload = uuid();
    const bad = photoMakerTask([face], { strength: 99 });
    const good = photoMakerTask([face]);
    const reply = await post(emulator, [
      { taskType: 'imageUpload', taskUUID: upload, image: face },
      bad,
      good,
      { taskType: 'ping', ping: true },
    ]);
    expect(reply.status).toBe(200);
    const data = reply.body.data ?? [];
    expect(data.find((item) => item.taskUUID === upload)).toMatchObject({ taskType: 'imageUpload' });
    expect(data.find((item) => item.taskUUID === good.taskUUID)).toMatchObject({ taskType: 'photoMaker' });
    expect(data.find((item) => item.taskType === 'ping')).toEqual({ taskType: 'ping', pong: true });
    expect(reply.body.errors).toEqual([
      expect.objectContaining({
        code: 'invalidStrength',
        parameter: 'strength',
        taskUUID: bad.taskUUID,
        taskType: 'photoMaker',
      }),
    ]);
  });

  it('refuses a re-sent imageUpload taskUUID with conflictTaskUUID and counts the submission', async () => {
    const taskUUID = uuid();
    const first = await post(emulator, [{ taskType: 'imageUpload', taskUUID, image: face }]);
    expect(first.status).toBe(200);
    const again = await post(emulator, [{ taskType: 'imageUpload', taskUUID, image: face }]);
    expect(again.status).toBe(400);
    expect(again.body.errors?.[0]).toMatchObject({
      code: 'conflictTaskUUID',
      taskType: 'imageUpload',
      taskUUID,
    });
    expect(await inspectTask(emulator, taskUUID)).toMatchObject({ taskType: 'imageUpload', submissions: 2 });
  });

  it('keeps seeds above 2^53 exact both ways', async () => {
    const task = photoMakerTask([face], { seed: '9223372036854775806', numberResults: 2 });
    const reply = await post(emulator, [task]);
    expect(reply.status).toBe(200);
    expect(reply.body.data?.map((item) => item.seed)).toEqual(['9223372036854775806', '9223372036854775807']);
  });

  it('counts every task by type', async () => {
    const { body } = await admin<{ taskTypes: Record<string, number> }>(emulator, '/inspect');
    expect(body.taskTypes.ping).toBeGreaterThanOrEqual(3);
    expect(body.taskTypes.imageUpload).toBeGreaterThanOrEqual(1);
    expect(body.taskTypes.photoMaker).toBeGreaterThanOrEqual(3);
  });

  it('serves 404 JSON for unknown routes and a health check', async () => {
    const missing = await fetch(`${emulator.url}/nope`);
    expect(missing.status).toBe(404);
    const health = await fetch(`${emulator.url}/health`);
    expect(await health.json()).toEqual({ ok: true });
  });
});
