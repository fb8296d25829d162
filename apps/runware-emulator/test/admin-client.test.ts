import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorAdmin, LATENCY_PRESETS } from '../src/admin/emulator-admin.ts';
import type { Emulator } from '../src/emulator.ts';
import { startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { post } from './helpers/rest.ts';

// The client other packages use (`@photomaker/runware-emulator/admin`), against the real admin routes.

let emulator: Emulator;
let admin: EmulatorAdmin;
let face: string;

beforeAll(async () => {
  emulator = await startEmulator({ balance: 20 });
  admin = new EmulatorAdmin(`${emulator.url}/`);
  face = dataUri(await facePng('a'));
});
afterAll(() => emulator.close());

describe('EmulatorAdmin', () => {
  it('reads a task, its settled record, the inspection and the task types', async () => {
    const taskUUID = uuid();
    await post(emulator, [photoMakerTask([face], { taskUUID, numberResults: 2, seed: 7 })]);
    const settled = await admin.settled(taskUUID);
    expect(settled).toMatchObject({ taskType: 'photoMaker', generations: 2, charges: 2, status: 'success' });
    expect(settled.images.map((image) => image.seed)).toEqual(['7', '8']);
    expect(await admin.task(uuid())).toBeUndefined();
    const inspection = await admin.inspect();
    expect(inspection.tasks[taskUUID]?.charges).toBe(2);
    expect(inspection.ledger.charges).toBeGreaterThanOrEqual(2);
    expect((await admin.taskTypes()).photoMaker).toBeGreaterThanOrEqual(1);
  });

  it('scripts faults that the next matching task gets, and clears them', async () => {
    const taskUUID = uuid();
    const task = photoMakerTask([face], { taskUUID });
    await admin.addFaults([
      {
        match: { taskUUID },
        fault: { kind: 'error', status: 503, code: 'serviceUnavailable' },
      },
    ]);
    expect((await admin.faults()).scripted).toHaveLength(1);
    const reply = await post(emulator, [task]);
    expect(reply.status).toBe(503);
    expect((await admin.inspect()).faultsInjected.error).toBe(1);
    await admin.patchFaults({ stuckPolls: 2 });
    expect((await admin.faults()).stuckPolls).toBe(2);
    await admin.setFaults({ scripted: [{ fault: { kind: 'stuck' } }] });
    expect((await admin.faults()).scripted).toHaveLength(1);
    await admin.clearFaults();
    expect((await admin.faults()).scripted).toEqual([]);
  });

  it('sets balance and latency, refuses bad values with the HTTP status, and resets', async () => {
    await admin.setBalance(3.5);
    expect(await admin.balance()).toBe(3.5);
    expect(await admin.setLatency({ requestMs: 5 })).toEqual({ ...LATENCY_PRESETS.none, requestMs: 5 });
    expect((await admin.latency()).requestMs).toBe(5);
    await expect(admin.setBalance(-1)).rejects.toThrow(/PUT \/balance: HTTP 400/);
    await admin.reset();
    expect(await admin.balance()).toBe(20);
  });
});
