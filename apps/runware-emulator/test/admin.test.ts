import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { admin, post } from './helpers/rest.ts';

let emulator: Emulator;
let face: string;

beforeAll(async () => {
  emulator = await startEmulator({
    balance: 50,
    faults: { scripted: [{ count: 5, fault: { kind: 'stuck', polls: 1 } }] },
  });
  face = dataUri(await facePng('a'));
});
afterAll(() => emulator.close());

describe('/admin', () => {
  it('inspects one task, and 404s for an unknown one', async () => {
    const task = photoMakerTask([face], { numberResults: 2, seed: 3 });
    await post(emulator, [task]);
    const { status, body } = await admin(emulator, `/inspect/tasks/${task.taskUUID}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      taskUUID: task.taskUUID,
      taskType: 'photoMaker',
      submissions: 1,
      generations: 2,
      charges: 2,
      status: 'success',
      images: [
        { index: 0, seed: '3', status: 'success' },
        { index: 1, seed: '4', status: 'success' },
      ],
    });
    expect((await admin(emulator, `/inspect/tasks/${uuid()}`)).status).toBe(404);
  });

  it('changes latency at run time', async () => {
    const put = await admin(emulator, '/latency', 'PUT', { requestMs: 5, parallelism: 2 });
    expect(put.body).toEqual({ requestMs: 5, imageMs: 0, stepMs: 0, parallelism: 2 });
    expect((await admin(emulator, '/latency', 'PUT', { parallelism: 0 })).status).toBe(400);
    await admin(emulator, '/latency', 'PUT', { requestMs: 0 });
  });

  it('reset forgets tasks and counts, restores the start balance and the start faults', async () => {
    await admin(emulator, '/balance', 'PUT', { balance: 1 });
    await admin(emulator, '/faults', 'DELETE');
    expect(
      Object.keys((await admin<{ tasks: object }>(emulator, '/inspect')).body.tasks).length,
    ).toBeGreaterThan(0);
    const reset = await admin(emulator, '/reset', 'POST');
    expect(reset.body).toEqual({ reset: true, balance: 50 });
    const { body } = await admin<{ tasks: object; taskTypes: object; balance: number }>(emulator, '/inspect');
    expect(body).toMatchObject({ tasks: {}, taskTypes: {}, balance: 50 });
    const faults = await admin<{ scripted: { count: number }[] }>(emulator, '/faults');
    expect(faults.body.scripted).toEqual([{ count: 5, fault: { kind: 'stuck', polls: 1 } }]);
  });

  it('answers bad admin bodies with 400', async () => {
    const response = await fetch(`${emulator.url}/admin/balance`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(response.status).toBe(400);
    expect((await admin(emulator, '/balance', 'PUT', { balance: 'lots' })).status).toBe(400);
  });
});
