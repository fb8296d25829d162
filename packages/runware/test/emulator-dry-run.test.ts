import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import { RunwareClientError } from '../src/errors.ts';
import { EMULATOR_KEY, Emulator, referencePng } from './support/emulator.ts';

// client.dryRun and the taskNotFound grace of the polling engine, against the real emulator process.
let emulator: Emulator;
let client: RunwareClient;
let reference: string;

const task = (numberResults: number, overrides: Record<string, unknown> = {}) => ({
  taskUUID: randomUUID(),
  inputImages: [reference],
  positivePrompt: 'portrait photo, soft light',
  model: 'civitai:133005@782002',
  width: 512,
  height: 768,
  steps: 12,
  numberResults,
  includeCost: true,
  ...overrides,
});

beforeAll(async () => {
  emulator = await Emulator.start();
  client = new RunwareClient({
    baseUrl: emulator.restUrl,
    apiKey: EMULATOR_KEY,
    poll: { initialDelayMs: 20, maxDelayMs: 60 },
  });
  reference = await referencePng();
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

describe('client.dryRun', () => {
  it("returns Runware's price, charges nothing, and the real run then charges exactly that", async () => {
    const priced = task(3);
    const before = await emulator.inspect();
    const estimate = await client.dryRun(priced);
    expect(estimate.taskUUID).toBe(priced.taskUUID);
    expect(estimate.costUsd).toBeGreaterThan(0);
    const after = await emulator.inspect();
    expect(after.ledger).toEqual(before.ledger);
    expect(after.tasks[priced.taskUUID]).toBeUndefined();
    expect(after.dryRuns).toBe(before.dryRuns + 1);

    const results = await client.photoMaker(priced);
    const charged = results.reduce((sum, result) => sum + Math.round((result.cost ?? 0) * 1e9), 0);
    expect(charged / 1e9).toBeCloseTo(estimate.costUsd, 9);
    expect((await emulator.task(priced.taskUUID)).cost).toBe(estimate.costUsd);
  });

  it("throws Runware's validation error as a real send would, nothing sent when it is local", async () => {
    const local = await client.dryRun(task(1, { strength: 99 })).catch((error: unknown) => error);
    expect(local).toBeInstanceOf(RunwareClientError);
    expect(local).toMatchObject({ parameter: 'strength', retryable: false });
    // Only the emulator knows this UUID is no image: its error, not the client's.
    const remote = await client
      .dryRun(task(1, { inputImages: [randomUUID()] }))
      .catch((error: unknown) => error);
    expect(remote).toMatchObject({ parameter: 'inputImages', status: 400, retryable: false });
  });

  it('a pricing failure is a typed, retryable error once the retries are spent', async () => {
    await emulator.script({
      match: { dryRun: true },
      count: 3,
      fault: { kind: 'error', status: 503, code: 'serviceUnavailable', retryAfterSeconds: 0 },
    });
    const error = await client.dryRun(task(1), { retry: false }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'serviceUnavailable', retryable: true });
    await emulator.clearFaults();
  });
});

describe('taskNotFound for an accepted task', () => {
  it('is transient within the grace period: the watch waits for the task to become visible', async () => {
    const accepted = task(2);
    await emulator.script({ match: { taskUUID: accepted.taskUUID }, fault: { kind: 'invisible', polls: 3 } });
    await client.submit(accepted);
    const images: string[] = [];
    for await (const batch of client.watchResults(accepted.taskUUID, { numberResults: 2, firstDelayMs: 0 })) {
      images.push(...batch.fresh.map((result) => result.imageUUID));
    }
    expect(new Set(images).size).toBe(2);
    expect(await emulator.task(accepted.taskUUID)).toMatchObject({ submissions: 1, charges: 2 });
  });

  it('is final past the grace period', async () => {
    const accepted = task(1);
    await emulator.script({
      match: { taskUUID: accepted.taskUUID },
      fault: { kind: 'invisible', polls: 50 },
    });
    await client.submit(accepted);
    const watch = async () => {
      for await (const _batch of client.watchResults(accepted.taskUUID, {
        numberResults: 1,
        firstDelayMs: 0,
        poll: { notFoundGraceMs: 200 },
      })) {
        // the first batch never comes
      }
    };
    await expect(watch()).rejects.toMatchObject({ code: 'taskNotFound', retryable: false });
  });
});
