import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobIdForRunwareTask } from '../src/jobs/ids.ts';
import {
  countWorkflows,
  eventually,
  gql,
  PNG_DATA_URI,
  sleep,
  startApi,
  temporalClient,
  tenants,
  v1,
} from './helpers.ts';

// Runware's current schema runs PhotoMaker as an SDXL imageInference task with a nested `photoMaker`:
// /v1 takes it beside the standalone task: same rules, same job, and every
// answer echoes the form the client sent. Real API, Temporal, Redis, worker and emulator.
const who = tenants('nested');
let api: Awaited<ReturnType<typeof startApi>>;
let temporal: Client;

beforeAll(async () => {
  api = await startApi(who);
  temporal = await temporalClient();
});

afterAll(async () => {
  await api?.server.close();
  await temporal?.connection.close();
});

const nested = (overrides: Record<string, unknown> = {}) => ({
  taskType: 'imageInference',
  taskUUID: randomUUID(),
  model: 'civitai:139562@344487',
  positivePrompt: 'wearing a suit, professional photo',
  photoMaker: { images: [PNG_DATA_URI], style: 'Cinematic', strength: 25 },
  width: 512,
  height: 512,
  steps: 4,
  ...overrides,
});

const JOB_TASK = `query($id: ID!) { job(id: $id) {
  task { style strength lora { model weight } vae promptWeighting inputImages { kind } }
} }`;

describe('POST /v1 imageInference with a nested photoMaker', () => {
  it('runs sync as the same job as the standalone task: items echo imageInference, LoRAs on the job', async () => {
    const lora = [{ model: 'civitai:58390@62833', weight: 0.75 }];
    const t = nested({ numberResults: 2, lora, vae: 'civitai:101055@128078', promptWeighting: 'compel' });
    const response = await v1(api.url, who.nested.key, [t]);
    expect(response.status).toBe(200);
    expect(response.body.data).toHaveLength(2);
    for (const item of response.body.data ?? []) {
      expect(item).toMatchObject({
        taskType: 'imageInference',
        taskUUID: t.taskUUID,
        imageUUID: expect.any(String),
      });
      expect((await fetch(String(item.imageURL))).status).toBe(200);
    }
    const job = await gql<{ job: { task: Record<string, unknown> } }>(api.url, who.nested.key, JOB_TASK, {
      id: jobIdForRunwareTask(who.nested.tenant, t.taskUUID),
    });
    expect(job.data?.job.task).toEqual({
      style: 'CINEMATIC',
      strength: 25,
      lora,
      vae: 'civitai:101055@128078',
      promptWeighting: 'COMPEL',
      inputImages: [{ kind: 'BLOB' }],
    });
    // The standalone form of the same taskUUID is the same job: a conflict, in the form sent this time.
    const { photoMaker: _photoMaker, ...rest } = t;
    const standalone = { ...rest, taskType: 'photoMaker', inputImages: [PNG_DATA_URI] };
    const resent = await v1(api.url, who.nested.key, [standalone]);
    expect(resent.body.errors?.[0]).toMatchObject({ code: 'conflictTaskUUID', taskType: 'photoMaker' });
  });

  it('acks async with images in inputs.referenceImages; getResponse echoes imageInference', async () => {
    const t = nested({
      photoMaker: { style: 'Photographic' },
      inputs: { referenceImages: [PNG_DATA_URI] },
      deliveryMethod: 'async',
      numberResults: 3,
    });
    const ack = await v1(api.url, who.nested.key, [t]);
    expect(ack).toEqual({
      status: 200,
      body: { data: [{ taskType: 'imageInference', taskUUID: t.taskUUID }] },
    });
    const done = await eventually(async () => {
      const poll = await v1(api.url, who.nested.key, [{ taskType: 'getResponse', taskUUID: t.taskUUID }]);
      expect(poll.body.data?.map((item) => item.taskType)).toEqual([
        'imageInference',
        'imageInference',
        'imageInference',
      ]);
      return poll.body.data?.every((item) => item.status === 'success') ? poll : undefined;
    });
    expect(done.body.data?.map((item) => item.taskUUID)).toEqual([t.taskUUID, t.taskUUID, t.taskUUID]);
  });

  it('refuses an imageInference task without photoMaker, and nested faults by the path sent; nothing starts', async () => {
    const before = await countWorkflows(temporal, who.nested.tenant);
    const { photoMaker: _photoMaker, ...plain } = nested();
    const bad = nested({
      photoMaker: { images: [PNG_DATA_URI, 'ftp://example.com/face.png'], strength: 60 },
    });
    const twice = nested({ inputs: { referenceImages: [PNG_DATA_URI] } });
    const response = await v1(api.url, who.nested.key, [plain, bad, twice]);
    expect(response.status).toBe(400);
    const errors = response.body.errors ?? [];
    expect(errors.map((e) => [e.code, e.parameter, e.taskUUID])).toEqual([
      ['missingPhotoMaker', 'photoMaker', plain.taskUUID],
      ['invalidPhotoMakerImages', 'photoMaker.images', bad.taskUUID],
      ['invalidPhotoMakerStrength', 'photoMaker.strength', bad.taskUUID],
      ['invalidInputsReferenceImages', 'inputs.referenceImages', twice.taskUUID],
    ]);
    expect(errors.every((e) => e.taskType === 'imageInference')).toBe(true);
    expect(String(errors[0]?.message)).toContain('this platform runs PhotoMaker jobs');
    expect(String(errors[1]?.message)).toContain('photoMaker.images[1]');
    expect(errors[2]).toMatchObject({ min: 15, max: 50 });
    await sleep(1_000);
    expect(await countWorkflows(temporal, who.nested.tenant)).toBe(before);
  });
});
