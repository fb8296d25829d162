import { stringifyRunwareJson } from '@photomaker/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { generationCostNano, nanoToUsd } from '../src/state/cost.ts';
import { KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, imageInferenceTask, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { admin, post, type RestReply } from './helpers/rest.ts';
import { forTask, WsClient } from './helpers/ws-client.ts';

let emulator: Emulator;
let face: string;

beforeAll(async () => {
  emulator = await startEmulator();
  face = dataUri(await facePng('a'));
});
beforeEach(async () => {
  await admin(emulator, '/reset', 'POST');
});
afterAll(async () => {
  await emulator.close();
});

/** POST /v1 with `X-Runware-Dry-Run: 1` over a real socket. */
async function dryRun(tasks: unknown[]): Promise<RestReply> {
  const response = await fetch(emulator.restUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${KEY}`,
      'x-runware-dry-run': '1',
    },
    body: stringifyRunwareJson(tasks),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as RestReply['body'],
  };
}

interface Inspection {
  dryRuns: number;
  tasks: Record<string, unknown>;
  ledger: { balance: number; reserved: number; charged: number; charges: number };
  images: { images: number };
  taskTypes: Record<string, number>;
}

const inspect = async () => (await admin<Inspection>(emulator, '/inspect')).body;

describe('X-Runware-Dry-Run over REST', () => {
  it('prices both task forms with the cost real runs then charge, and runs, stores or charges nothing', async () => {
    const standalone = photoMakerTask([face], { numberResults: 3, width: 512, height: 768, steps: 25 });
    const nested = imageInferenceTask([face], { numberResults: 2, model: 'civitai:133005@782002' });
    const before = await inspect();
    const reply = await dryRun([standalone, nested]);
    expect(reply.status).toBe(200);
    expect(reply.body.data).toEqual([
      { taskType: 'photoMaker', taskUUID: standalone.taskUUID, cost: expect.any(Number) },
      { taskType: 'imageInference', taskUUID: nested.taskUUID, cost: expect.any(Number) },
    ]);
    const after = await inspect();
    expect(after.ledger).toEqual(before.ledger);
    expect(after.tasks).toEqual({});
    expect(after.images.images).toBe(before.images.images);
    expect(after.dryRuns).toBe(2);

    // The same tasks for real (their taskUUIDs are still free): the charge is the estimate.
    for (const [task, estimate] of [
      [standalone, reply.body.data?.[0]?.cost],
      [nested, reply.body.data?.[1]?.cost],
    ] as const) {
      const real = await post(emulator, [{ ...task, includeCost: true }]);
      expect(real.status).toBe(200);
      const costs = (real.body.data ?? []).map((item) => Number(item.cost));
      expect(costs).toHaveLength(Number(task.numberResults));
      const chargedNano = costs.reduce((sum, cost) => sum + Math.round(cost * 1e9), 0);
      expect(nanoToUsd(chargedNano)).toBe(estimate);
    }
    const charged = (await inspect()).ledger.charged;
    expect(charged).toBe(
      nanoToUsd(
        Math.round(Number(reply.body.data?.[0]?.cost) * 1e9 + Number(reply.body.data?.[1]?.cost) * 1e9),
      ),
    );
  });

  it('prices by model, size and steps from the documented table', async () => {
    const task = (overrides: Record<string, unknown>) => photoMakerTask([face], overrides);
    const reply = await dryRun([
      task({ model: 'civitai:139562@344487', width: 1024, height: 1024, steps: 20 }),
      task({ model: 'civitai:101055@128078', width: 1024, height: 1024, steps: 20 }),
      task({ model: 'civitai:133005@288982', width: 1024, height: 1024, steps: 40, numberResults: 4 }),
      task({ model: 'civitai:999999@1', width: 512, height: 512, steps: 20 }),
    ]);
    expect(reply.body.data?.map((item) => item.cost)).toEqual([0.0019, 0.0013, 0.0168, 0.000475]);
    expect(
      nanoToUsd(
        generationCostNano({ model: 'civitai:133005@288982', width: 1024, height: 1024, steps: 40 }) * 4,
      ),
    ).toBe(0.0168);
  });

  it('refuses what a real run refuses, with the same errors, and leaves no trace', async () => {
    const badStrength = photoMakerTask([face], { strength: 80 });
    const unknownImage = photoMakerTask([uuid()]);
    const flux = photoMakerTask([face], { model: 'runware:101@1' });
    const dry = await dryRun([badStrength, unknownImage, flux]);
    const real = await post(emulator, [badStrength, unknownImage, flux]);
    expect(dry.status).toBe(400);
    expect(dry.body.errors).toEqual(real.body.errors);
    expect(dry.body.errors?.map((error) => error.parameter)).toEqual(['strength', 'inputImages', 'model']);
    expect((await inspect()).dryRuns).toBe(0);
  });

  it('answers conflictTaskUUID for a taskUUID already accepted, without counting a submission', async () => {
    const task = photoMakerTask([face]);
    expect((await post(emulator, [task])).status).toBe(200);
    const reply = await dryRun([task]);
    expect(reply.body.errors?.[0]).toMatchObject({ code: 'conflictTaskUUID', taskUUID: task.taskUUID });
    const record = (await admin<{ submissions: number }>(emulator, `/inspect/tasks/${task.taskUUID}`)).body;
    expect(record.submissions).toBe(1);
  });

  it('checks an imageUpload without storing it (cost 0)', async () => {
    const before = (await inspect()).images.images;
    const upload = { taskType: 'imageUpload', taskUUID: uuid(), image: face };
    const reply = await dryRun([
      upload,
      { taskType: 'imageUpload', taskUUID: uuid(), image: 'not-an-image' },
    ]);
    expect(reply.body.data).toEqual([{ taskType: 'imageUpload', taskUUID: upload.taskUUID, cost: 0 }]);
    expect(reply.body.errors?.[0]).toMatchObject({ parameter: 'image' });
    expect((await inspect()).images.images).toBe(before);
  });

  it('still needs a valid key', async () => {
    const response = await fetch(emulator.restUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-runware-dry-run': '1' },
      body: JSON.stringify([photoMakerTask([face])]),
    });
    expect(response.status).toBe(401);
  });

  it('draws only faults that match dryRun: a dry run never consumes a real run fault', async () => {
    await admin(emulator, '/faults', 'PUT', {
      scripted: [
        {
          match: { taskType: 'photoMaker' },
          fault: { kind: 'error', status: 503, code: 'serviceUnavailable' },
        },
        {
          match: { taskType: 'photoMaker', dryRun: true },
          fault: { kind: 'error', status: 500, code: 'internalServerError' },
        },
      ],
    });
    const priced = await dryRun([photoMakerTask([face])]);
    expect(priced.status).toBe(500);
    expect((await dryRun([photoMakerTask([face])])).status).toBe(200);
    const real = await post(emulator, [photoMakerTask([face])]);
    expect(real.status).toBe(503);
  });
});

describe('dry run over WebSocket (?dryRun=1 on the socket URL)', () => {
  it('prices every task on the socket and runs none; a plain socket still runs', async () => {
    const { client } = await WsClient.session(`${emulator.wsUrl}?sdk=js&dryRun=1`, KEY);
    const task = photoMakerTask([face], { numberResults: 2 });
    const frame = await client.request([task], forTask(String(task.taskUUID)));
    expect(frame.data).toEqual([{ taskType: 'photoMaker', taskUUID: task.taskUUID, cost: 0.000029688 }]);
    client.close();
    const state = await inspect();
    expect(state.tasks).toEqual({});
    expect(state.ledger.charges).toBe(0);

    const { client: real } = await WsClient.session(emulator.wsUrl, KEY);
    const result = await real.request([task], forTask(String(task.taskUUID)));
    expect(result.data?.[0]?.imageUUID).toEqual(expect.any(String));
    real.close();
  });
});
