import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countWorkflows,
  eventually,
  PNG_DATA_URI,
  sleep,
  startApi,
  temporalClient,
  tenants,
  v1,
} from './helpers.ts';
import { asDataUri, truncatedPng } from './support/bad-images.ts';

const who = tenants('gw', 'other');
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

const task = (overrides: Record<string, unknown> = {}) => ({
  taskType: 'photoMaker',
  taskUUID: randomUUID(),
  model: 'civitai:139562@344487',
  positivePrompt: 'wearing a suit, professional photo',
  inputImages: [PNG_DATA_URI],
  width: 512,
  height: 512,
  steps: 4,
  ...overrides,
});

describe('POST /v1 (Runware-compatible gateway)', () => {
  it('authenticates by Bearer header or a leading authentication task, and answers ping', async () => {
    const byHeader = await v1(api.url, who.gw.key, [{ taskType: 'ping', ping: true }]);
    expect(byHeader).toEqual({ status: 200, body: { data: [{ taskType: 'ping', pong: true }] } });
    const byTask = await v1(api.url, undefined, [
      { taskType: 'authentication', apiKey: who.gw.key },
      { taskType: 'ping', ping: true },
    ]);
    expect(byTask.status).toBe(200);
    expect(byTask.body.data?.[0]).toMatchObject({
      taskType: 'authentication',
      connectionSessionUUID: expect.any(String),
    });
    expect(byTask.body.data?.[1]).toEqual({ taskType: 'ping', pong: true });
  });

  it('refuses missing and invalid keys the way Runware does (401)', async () => {
    const missing = await v1(api.url, undefined, [{ taskType: 'ping', ping: true }]);
    expect(missing.status).toBe(401);
    expect(missing.body.errors?.[0]).toMatchObject({
      code: 'missingApiKey',
      parameter: 'apiKey',
      taskType: 'authentication',
    });
    const invalid = await v1(api.url, 'wrong-key-123', [{ taskType: 'ping', ping: true }]);
    expect(invalid.status).toBe(401);
    expect(invalid.body.errors?.[0]).toMatchObject({ code: 'invalidApiKey' });
    const notJson = await v1(api.url, who.gw.key, '{"taskType":');
    expect(notJson.status).toBe(400);
  });

  it('imageUpload stores the image once; a re-sent taskUUID returns the same imageUUID', async () => {
    const taskUUID = randomUUID();
    const first = await v1(api.url, who.gw.key, [{ taskType: 'imageUpload', taskUUID, image: PNG_DATA_URI }]);
    expect(first.status).toBe(200);
    const item = first.body.data?.[0] as { imageUUID: string; imageURL: string };
    expect(item).toMatchObject({
      taskType: 'imageUpload',
      taskUUID,
      imageUUID: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect((await fetch(item.imageURL)).status).toBe(200);
    const again = await v1(api.url, who.gw.key, [{ taskType: 'imageUpload', taskUUID, image: PNG_DATA_URI }]);
    expect(again.body.data?.[0]).toMatchObject({ imageUUID: item.imageUUID });
  });

  it('imageUpload decodes the image: a truncated PNG is invalidImage naming the reason', async () => {
    const refused = await v1(api.url, who.gw.key, [
      { taskType: 'imageUpload', taskUUID: randomUUID(), image: asDataUri(truncatedPng()) },
    ]);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]).toMatchObject({ code: 'invalidImage', parameter: 'image' });
    expect(refused.body.errors?.[0]?.message).toContain('truncated or corrupt');
  });

  it('sync photoMaker waits for the workflow and returns one item per image, seeds exact on the wire', async () => {
    const upload = await v1(api.url, who.gw.key, [
      { taskType: 'imageUpload', taskUUID: randomUUID(), image: PNG_DATA_URI },
    ]);
    const imageUUID = String(upload.body.data?.[0]?.imageUUID);
    const t = task({
      numberResults: 2,
      seed: '9223372036854775806',
      includeCost: true,
      inputImages: [imageUUID],
    });
    const response = await fetch(`${api.url}/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${who.gw.key}`, 'content-type': 'application/json' },
      body: JSON.stringify([t]).replace('"9223372036854775806"', '9223372036854775806'),
    });
    const raw = await response.text();
    expect(response.status).toBe(200);
    // Integer literals beyond 2^53, exact: the gateway never rounds a seed.
    expect(raw).toContain('"seed":9223372036854775806');
    expect(raw).toContain('"seed":9223372036854775807');
    const body = JSON.parse(raw) as { data: Record<string, unknown>[] };
    expect(body.data).toHaveLength(2);
    for (const item of body.data) {
      expect(item).toMatchObject({
        taskType: 'photoMaker',
        taskUUID: t.taskUUID,
        imageUUID: expect.any(String),
      });
      expect(typeof item.cost).toBe('number');
      expect((await fetch(String(item.imageURL))).status).toBe(200);
    }
  });

  it('async photoMaker acks at once; getResponse serves the workflow state; a re-sent taskUUID is conflictTaskUUID and never a second run', async () => {
    const before = await countWorkflows(temporal, who.gw.tenant);
    const t = task({ deliveryMethod: 'async', numberResults: 3, outputType: 'base64Data' });
    const ack = await v1(api.url, who.gw.key, [t]);
    expect(ack).toEqual({ status: 200, body: { data: [{ taskType: 'photoMaker', taskUUID: t.taskUUID }] } });

    const resent = await v1(api.url, who.gw.key, [t]);
    expect(resent.status).toBe(400);
    expect(resent.body.errors?.[0]).toMatchObject({
      code: 'conflictTaskUUID',
      taskUUID: t.taskUUID,
      taskType: 'photoMaker',
    });

    const done = await eventually(async () => {
      const poll = await v1(api.url, who.gw.key, [{ taskType: 'getResponse', taskUUID: t.taskUUID }]);
      expect(poll.status).toBe(200);
      expect(poll.body.data).toHaveLength(3);
      const statuses = poll.body.data?.map((item) => item.status);
      return statuses?.every((s) => s === 'success') ? poll : undefined;
    });
    for (const item of done.body.data ?? []) {
      expect(item).toMatchObject({ taskType: 'photoMaker', taskUUID: t.taskUUID, status: 'success' });
      expect(String(item.imageBase64Data)).toMatch(/^[A-Za-z0-9+/]+=*$/);
    }
    // Stable order: the same items in the same order on every poll.
    const repoll = await v1(api.url, who.gw.key, [{ taskType: 'getResponse', taskUUID: t.taskUUID }]);
    expect(repoll.body.data?.map((item) => item.imageUUID)).toEqual(
      done.body.data?.map((item) => item.imageUUID),
    );

    const again = await v1(api.url, who.gw.key, [t]);
    expect(again.body.errors?.[0]?.code).toBe('conflictTaskUUID');
    await sleep(1_000);
    expect(await countWorkflows(temporal, who.gw.tenant)).toBe(before + 1);
  });

  it('validates with the shared rules: 400, Runware codes, nothing started', async () => {
    const before = await countWorkflows(temporal, who.gw.tenant);
    const t = task({ strength: 99, width: 500, inputImages: [] });
    const response = await v1(api.url, who.gw.key, [t, task({ webhookURL: 'http://127.0.0.1:9/hook' })]);
    expect(response.status).toBe(400);
    const codes = response.body.errors?.map((e) => e.code);
    expect(codes).toEqual(
      expect.arrayContaining(['invalidStrength', 'invalidWidth', 'invalidInputImages', 'invalidWebhookURL']),
    );
    expect(response.body.errors?.find((e) => e.code === 'invalidStrength')).toMatchObject({
      parameter: 'strength',
      taskType: 'photoMaker',
      taskUUID: t.taskUUID,
      min: 15,
      max: 50,
    });
    const unknown = await v1(api.url, who.gw.key, [{ taskType: 'videoInference', taskUUID: randomUUID() }]);
    expect(unknown.body.errors?.[0]?.code).toBe('unsupportedTaskType');
    await sleep(1_000);
    expect(await countWorkflows(temporal, who.gw.tenant)).toBe(before);
  });

  it('keeps tenants apart: another tenant’s taskUUID is taskNotFound, and may be reused by it', async () => {
    const t = task({ deliveryMethod: 'async' });
    expect((await v1(api.url, who.gw.key, [t])).status).toBe(200);
    const peek = await v1(api.url, who.other.key, [{ taskType: 'getResponse', taskUUID: t.taskUUID }]);
    expect(peek.status).toBe(404);
    expect(peek.body.errors?.[0]).toMatchObject({ code: 'taskNotFound', taskUUID: t.taskUUID });
    // The same client taskUUID from another tenant is its own job.
    expect((await v1(api.url, who.other.key, [t])).status).toBe(200);
  });

  it('answers mixed batches per task (data and errors together)', async () => {
    const response = await v1(api.url, who.gw.key, [{ taskType: 'ping', ping: true }, task({ steps: 0 })]);
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([{ taskType: 'ping', pong: true }]);
    expect(response.body.errors?.[0]).toMatchObject({ code: 'invalidSteps' });
  });
});
