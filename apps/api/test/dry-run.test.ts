import { randomUUID } from 'node:crypto';
import { parseRunwareJson, stringifyRunwareJson } from '@photomaker/schema';
import type { Client } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  countWorkflows,
  eventually,
  GENERATE,
  gql,
  PNG_DATA_URI,
  setEmulatorLatency,
  stack,
  startApi,
  temporalClient,
  tenants,
  v1,
} from './helpers.ts';
import { RunwareSocket } from './support/runware-socket.ts';

// Dry runs on the real stack (Temporal, Redis, the worker, the emulator over real sockets):
// estimatePhotoMaker and /v1's X-Runware-Dry-Run (REST) / ?dryRun=1 (WebSocket) validate, ask the
// emulator's dry run for the price, start no workflow, charge nothing and count against no quota.

const who = tenants('dry', 'other');
let api: Awaited<ReturnType<typeof startApi>>;
let temporal: Client;
const sockets: RunwareSocket[] = [];

const ESTIMATE = `query Estimate($input: PhotoMakerInput!) {
  estimatePhotoMaker(input: $input) { ok images costUsd source errors { runwareCode parameter path message } }
}`;
const JOB_STATUS = 'query Job($id: ID!) { job(id: $id) { status } }';
const UPLOAD = 'mutation Up($image: String!) { uploadReferenceImage(image: $image) { id } }';

interface Estimate {
  ok: boolean;
  images: number | null;
  costUsd: number | null;
  source: 'RUNWARE' | 'CONFIGURED' | null;
  errors: { runwareCode: string; parameter: string; path: (string | number)[]; message: string }[];
}

interface Inspection {
  dryRuns: number;
  tasks: Record<string, unknown>;
  ledger: { balance: number; reserved: number; charged: number; charges: number };
}

async function emulator<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await fetch(`${stack().emulatorUrl}/admin${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return (await response.json()) as T;
}
const inspect = () => emulator<Inspection>('/inspect');

async function estimate(input: Record<string, unknown>, key = who.dry.key, url = api.url): Promise<Estimate> {
  const result = await gql<{ estimatePhotoMaker: Estimate }>(url, key, ESTIMATE, { input });
  expect(result.errors).toBeUndefined();
  return result.data?.estimatePhotoMaker as Estimate;
}

async function dryV1(tasks: unknown[], key = who.dry.key) {
  const response = await fetch(`${api.url}/v1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-runware-dry-run': '1' },
    body: stringifyRunwareJson(tasks),
  });
  const body = parseRunwareJson(await response.text()) as {
    data?: Record<string, unknown>[];
    errors?: Record<string, unknown>[];
  };
  return { status: response.status, body };
}

const task = (overrides: Record<string, unknown> = {}) => ({
  taskType: 'photoMaker',
  taskUUID: randomUUID(),
  model: 'civitai:133005@782002',
  positivePrompt: 'wearing a suit, professional photo',
  inputImages: [PNG_DATA_URI],
  width: 512,
  height: 768,
  steps: 6,
  ...overrides,
});

beforeAll(async () => {
  // A tight daily image quota: dry runs of many images must not touch it.
  api = await startApi(who, { PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY: '3' });
  temporal = await temporalClient();
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await emulator('/faults', 'DELETE');
});

afterAll(async () => {
  await api?.server.close();
  await temporal?.connection.close();
});

describe('estimatePhotoMaker', () => {
  it("answers the emulator's price, starts nothing, charges nothing, and the real job is charged that", async () => {
    const before = await inspect();
    const input = baseInput({ model: 'civitai:133005@782002', numberResults: 2, includeCost: true });
    const estimated = await estimate(input);
    expect(estimated).toMatchObject({ ok: true, images: 2, source: 'RUNWARE', errors: [] });
    expect(estimated.costUsd).toBeGreaterThan(0);
    const after = await inspect();
    expect(after.ledger).toEqual(before.ledger);
    expect(Object.keys(after.tasks)).toEqual(Object.keys(before.tasks));
    expect(after.dryRuns).toBe(before.dryRuns + 1);
    expect(await countWorkflows(temporal, who.dry.tenant)).toBe(0);

    const generated = await gql<{ generatePhotoMaker: { cost: number | null; status: string } }>(
      api.url,
      who.dry.key,
      GENERATE,
      { input: { ...input, deliveryMethod: 'SYNC' } },
    );
    expect(generated.errors).toBeUndefined();
    expect(generated.data?.generatePhotoMaker.status).toBe('SUCCEEDED');
    expect(generated.data?.generatePhotoMaker.cost).toBeCloseTo(Number(estimated.costUsd), 9);
    expect((await inspect()).ledger.charged - before.ledger.charged).toBeCloseTo(
      Number(estimated.costUsd),
      9,
    );
  });

  it('counts nothing against the image quota: 4-image estimates over a 3-a-day quota, then a real job still fits', async () => {
    const fresh = tenants('quota');
    const quotaApi = await startApi(fresh, { PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY: '3' });
    try {
      for (let i = 0; i < 3; i++) {
        const estimated = await estimate(baseInput({ numberResults: 4 }), fresh.quota.key, quotaApi.url);
        expect(estimated).toMatchObject({ ok: true, images: 4, source: 'RUNWARE' });
      }
      const real = await gql(quotaApi.url, fresh.quota.key, GENERATE, {
        input: baseInput({ numberResults: 3 }),
      });
      expect(real.errors).toBeUndefined();
      const over = await gql(quotaApi.url, fresh.quota.key, GENERATE, { input: baseInput() });
      expect(over.errors?.[0]?.extensions).toMatchObject({
        code: 'QUOTA_EXCEEDED',
        limitName: 'imagesPerDay',
      });
    } finally {
      await quotaApi.server.close();
    }
  });

  it('reports bad input as generatePhotoMaker does, and asks Runware nothing', async () => {
    const before = await inspect();
    const bad = baseInput({ strength: 99, inputImages: ['data:image/png;base64,AAAA'] });
    const estimated = await estimate(bad);
    const submitted = await gql(api.url, who.dry.key, GENERATE, { input: bad });
    const reported = submitted.errors?.[0]?.extensions?.runwareErrors as Record<string, unknown>[];
    expect(estimated.ok).toBe(false);
    expect(estimated.costUsd).toBeNull();
    expect(estimated.errors.map((e) => [e.runwareCode, e.parameter, e.path, e.message])).toEqual(
      reported.map((e) => [e.runwareCode, e.parameter, e.path, e.message]),
    );
    expect((await inspect()).dryRuns).toBe(before.dryRuns);
  });

  it("takes the tenant's reference images by id; an id that exists nowhere is refused (by Runware's dry run)", async () => {
    const uploaded = await gql<{ uploadReferenceImage: { id: string } }>(api.url, who.dry.key, UPLOAD, {
      image: PNG_DATA_URI,
    });
    const id = uploaded.data?.uploadReferenceImage.id as string;
    expect(await estimate(baseInput({ inputImages: [id] }))).toMatchObject({ ok: true, source: 'RUNWARE' });
    const unknown = await estimate(baseInput({ inputImages: [randomUUID()] }));
    expect(unknown.ok).toBe(false);
    expect(unknown.errors[0]).toMatchObject({ parameter: 'inputImages', path: ['input', 'inputImages'] });
    // Another tenant's reference id is no id of this tenant's: refused the same way.
    const theirs = await estimate(baseInput({ inputImages: [id] }), who.other.key);
    expect(theirs.ok).toBe(false);
  });

  it("falls back to the tenant's price per image, flagged CONFIGURED, when Runware cannot price", async () => {
    const priced = tenants('priced');
    const pricedApi = await startApi(priced, { PHOTOMAKER_TENANT_DEFAULT_PRICE_PER_IMAGE_USD: '0.0096' });
    try {
      // Every dry-run attempt of the next ones fails (the pricer tries twice); real runs are untouched.
      await emulator('/faults', 'PATCH', {
        scripted: [
          {
            match: { dryRun: true },
            count: 2,
            fault: { kind: 'error', status: 503, code: 'serviceUnavailable', retryAfterSeconds: 0 },
          },
        ],
      });
      const estimated = await estimate(baseInput({ numberResults: 4 }), priced.priced.key, pricedApi.url);
      expect(estimated).toEqual({ ok: true, images: 4, costUsd: 0.0384, source: 'CONFIGURED', errors: [] });
      const again = await estimate(baseInput({ numberResults: 4 }), priced.priced.key, pricedApi.url);
      expect(again.source).toBe('RUNWARE');
    } finally {
      await pricedApi.server.close();
    }
  });

  it('needs the key and is rate-limited per request like any other', async () => {
    const noKey = await gql(api.url, undefined, ESTIMATE, { input: baseInput() });
    expect(noKey.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const limited = tenants('limited');
    const limitedApi = await startApi(limited, { PHOTOMAKER_RATE_LIMIT: '2' });
    try {
      const answers = [];
      for (let i = 0; i < 3; i++)
        answers.push(await gql(limitedApi.url, limited.limited.key, ESTIMATE, { input: baseInput() }));
      expect(answers.slice(0, 2).every((answer) => answer.errors === undefined)).toBe(true);
      expect(answers[2]?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    } finally {
      await limitedApi.server.close();
    }
  });
});

describe('/v1 dry run', () => {
  it('REST X-Runware-Dry-Run: 1 prices both forms, starts no job, charges nothing; the taskUUID stays free', async () => {
    const before = await inspect();
    const workflowsBefore = await countWorkflows(temporal, who.dry.tenant);
    const standalone = task({ numberResults: 4 });
    const { inputImages, ...rest } = task();
    const nested = { ...rest, taskType: 'imageInference', photoMaker: { images: inputImages } };
    const upload = { taskType: 'imageUpload', taskUUID: randomUUID(), image: PNG_DATA_URI };
    const reply = await dryV1([standalone, nested, upload]);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual([
      { taskType: 'photoMaker', taskUUID: standalone.taskUUID, cost: expect.any(Number) },
      { taskType: 'imageInference', taskUUID: nested.taskUUID, cost: expect.any(Number) },
      { taskType: 'imageUpload', taskUUID: upload.taskUUID, cost: 0 },
    ]);
    // Same parameters, four images vs one: four times the price.
    expect(Number(reply.body.data?.[0]?.cost)).toBeCloseTo(4 * Number(reply.body.data?.[1]?.cost), 9);
    const after = await inspect();
    expect(after.ledger).toEqual(before.ledger);
    expect(after.dryRuns).toBe(before.dryRuns + 2);
    expect(await countWorkflows(temporal, who.dry.tenant)).toBe(workflowsBefore);

    // The quota is 3 images a day: a 4-image dry run passed; a real 1-image task with the nested task's
    // UUID is accepted (no conflict) and charged what the dry run said.
    const real = await v1(api.url, who.dry.key, [{ ...nested, includeCost: true }]);
    expect(real.status).toBe(200);
    expect(Number(real.body.data?.[0]?.cost)).toBeCloseTo(Number(reply.body.data?.[1]?.cost), 9);
    expect(await countWorkflows(temporal, who.dry.tenant)).toBe(workflowsBefore + 1);
    // Now the UUID is taken: the dry run says conflictTaskUUID, as a real re-send would.
    const again = await dryV1([nested]);
    expect(again.body.errors?.[0]).toMatchObject({ code: 'conflictTaskUUID', taskUUID: nested.taskUUID });
  });

  it('refuses what a submission refuses, with the same errors, and needs the key', async () => {
    const bad = task({ strength: 99, width: 500 });
    const dry = await dryV1([bad]);
    const real = await v1(api.url, who.dry.key, [bad]);
    expect(dry.status).toBe(400);
    expect(dry.body.errors).toEqual(real.body.errors);
    const noKey = await fetch(`${api.url}/v1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-runware-dry-run': '1' },
      body: JSON.stringify([task()]),
    });
    expect(noKey.status).toBe(401);
  });

  it("takes no place in the admission queue: a full queue refuses a job, not a tenant's dry runs", async () => {
    const full = tenants('full');
    const fullApi = await startApi(full, {
      PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '1',
      PHOTOMAKER_TENANT_DEFAULT_MAX_QUEUED_JOBS: '0',
    });
    await setEmulatorLatency(3_000);
    let holdingId: string | undefined;
    try {
      // One slow job holds the tenant's only place (running, none may wait).
      const holding = await gql<{ generatePhotoMaker: { id: string } }>(
        fullApi.url,
        full.full.key,
        GENERATE,
        {
          input: baseInput(),
        },
      );
      expect(holding.errors).toBeUndefined();
      holdingId = holding.data?.generatePhotoMaker.id;
      const refused = await gql(fullApi.url, full.full.key, GENERATE, { input: baseInput() });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ limitName: 'maxQueuedJobs' });
      const estimated = await estimate(baseInput({ priority: 'HIGH' }), full.full.key, fullApi.url);
      expect(estimated).toMatchObject({ ok: true, images: 1, source: 'RUNWARE' });
      const response = await fetch(`${fullApi.url}/v1`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${full.full.key}`,
          'x-runware-dry-run': '1',
        },
        body: JSON.stringify([task({ priority: 'LOW' }), task({ priority: 'URGENT' })]),
      });
      const body = (await response.json()) as { data?: unknown[]; errors?: Record<string, unknown>[] };
      expect(body.data).toEqual([expect.objectContaining({ cost: expect.any(Number) })]);
      // The priority is checked as a submission checks it.
      expect(body.errors).toMatchObject([{ code: 'invalidPriority', parameter: 'priority' }]);
      expect(await countWorkflows(temporal, full.full.tenant)).toBe(1);
    } finally {
      await setEmulatorLatency(0);
      // The next tests compare the emulator's ledger: the holding job ends first.
      if (holdingId)
        await eventually(async () => {
          const job = await gql<{ job: { status: string } }>(fullApi.url, full.full.key, JOB_STATUS, {
            id: holdingId,
          });
          return job.data?.job.status === 'SUCCEEDED';
        });
      await fullApi.server.close();
    }
  });

  it('WebSocket ?dryRun=1 prices each task and starts none', async () => {
    const fresh = tenants('wsdry');
    const wsApi = await startApi(fresh);
    try {
      const socket = await RunwareSocket.open(wsApi.url, '/v1?sdk=js&dryRun=1');
      sockets.push(socket);
      socket.send([{ taskType: 'authentication', apiKey: fresh.wsdry.key }]);
      await socket.next((frame) => frame.data?.[0]?.taskType === 'authentication');
      const before = await inspect();
      const priced = task({ numberResults: 2 });
      socket.send([priced]);
      const frame = await socket.next(
        (f) => f.data?.[0]?.taskUUID === priced.taskUUID || f.errors !== undefined,
      );
      expect(frame.data).toEqual([
        { taskType: 'photoMaker', taskUUID: priced.taskUUID, cost: expect.any(Number) },
      ]);
      expect((await inspect()).ledger).toEqual(before.ledger);
      expect(await countWorkflows(temporal, fresh.wsdry.tenant)).toBe(0);
    } finally {
      await wsApi.server.close();
    }
  });
});
