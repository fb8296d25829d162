import { CancelRequests } from '@photomaker/events';
import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import { sampleFace } from '@photomaker/likeness/samples';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Harness } from './support/harness.ts';
import { usageOfTenant } from './support/usage.ts';

// regenerateBelow (issue #17) on the real stack: the emulator's `offlikenessbelowseedN` makes the images
// of seeds below N off-likeness, so a job's first images miss minLikeness and its extra images (seed +
// index) reach it; plain `offlikeness` makes every extra image miss too. Charges are the ledger of an
// emulator of its own (images of 300 ms, one image task of a job at a time, so a cancel lands between
// two extra images).

let emulator: RunningNodeApp;
let h: Harness;

beforeAll(async () => {
  emulator = await startNodeApp({
    name: 'regenerate-emulator',
    entry: 'apps/runware-emulator/src/main.ts',
    args: [
      '--port',
      '0',
      '--latency',
      JSON.stringify({ requestMs: 20, imageMs: 300, stepMs: 0, parallelism: 1 }),
    ],
  });
  h = await Harness.create('regenerate', { emulatorUrl: emulator.url ?? '' });
  await h.startWorkers({ settings: { tasksInFlightPerJob: 1, cancelDrainMs: 10_000 } });
});

beforeEach(async () => {
  await h.emulator.reset();
});

afterAll(async () => {
  await h?.close();
  await emulator?.stop();
});

const SEED = 5000;

async function inputOf(positivePrompt: string, numberResults: number, regenerateBelow: number) {
  const blob = await h.blobs.put(new Uint8Array(await sampleFace('left')), 'image/jpeg');
  const task = await h.task({
    inputImages: [{ kind: 'blob', blob }],
    positivePrompt,
    numberResults,
    seed: String(SEED),
    width: 512,
    height: 512,
  });
  const tenant = `regenerate-${crypto.randomUUID()}`;
  return h.input(task, { tenant, minLikeness: 0.5, regenerateBelow });
}

async function start(positivePrompt: string, numberResults: number, regenerateBelow: number) {
  const input = await inputOf(positivePrompt, numberResults, regenerateBelow);
  return { input, state: await h.result(await h.start(input)) };
}

/** Every image the job made was charged once (the emulator's ledger), and usage counts each of them. */
async function expectChargedOnce(input: PhotoMakerJobInput, images: number): Promise<void> {
  const { ledger } = await h.emulator.inspect();
  expect(ledger).toMatchObject({ charges: images, reserved: 0 });
  const widened = { ...input, task: { ...input.task, numberResults: images + 2 } };
  expect(await h.chargesOf(widened)).toEqual({ charges: images, submissions: images, tasks: images });
  const usage = await usageOfTenant(h.redis, input.tenant);
  expect(usage).toMatchObject({ images, imagesWithoutCost: 0 });
  expect(usage.costUsd).toBeCloseTo(ledger.charged, 9);
}

describe('regenerateBelow: extra images until numberResults pass minLikeness', () => {
  it('makes only the extra images it needs, with seeds after the job’s, and they pass', async () => {
    // Seeds 5000 and 5001 are off-likeness; 5002 on: two of three miss, two extra images (5003, 5004) pass.
    const { input, state } = await start(`a portrait, offlikenessbelowseed${SEED + 2}`, 3, 3);
    expect(state.status).toBe('SUCCEEDED');
    // Images are in arrival order: the job's three (any order), then its two extra ones.
    const bySeed = [...state.images].sort((a, b) => a.seed.localeCompare(b.seed));
    expect(bySeed.map((image) => image.seed)).toEqual(['5000', '5001', '5002', '5003', '5004']);
    expect(bySeed.map((image) => image.belowMinLikeness)).toEqual([true, true, false, false, false]);
    expect(
      state.images
        .slice(3)
        .map((image) => image.seed)
        .sort(),
    ).toEqual(['5003', '5004']);
    expect(state.images.filter((image) => (image.likeness ?? 0) >= 0.5)).toHaveLength(3);
    await expectChargedOnce(input, 5);
  }, 180_000);

  it('stops at regenerateBelow extra images when they all miss the bar too', async () => {
    const { input, state } = await start('a portrait, offlikeness', 2, 3);
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images).toHaveLength(5);
    expect(state.images.every((image) => image.belowMinLikeness === true)).toBe(true);
    await expectChargedOnce(input, 5);
  }, 180_000);

  it('a cancel among the extra images stops them: no further image is sent, each one made is charged once', async () => {
    const input = await inputOf('a portrait, offlikeness', 2, 2);
    const extraUUIDs = h.imageTaskUUIDs({ ...input, task: { ...input.task, numberResults: 4 } }).slice(2);
    const job = await h.start(input);
    // The first extra image task is at the emulator: cancel as the API does (Redis request, then Temporal).
    await vi.waitFor(async () => expect(await h.emulator.task(extraUUIDs[0] as string)).toBeDefined(), {
      timeout: 60_000,
      interval: 20,
    });
    await new CancelRequests(h.redis).request(input.jobId);
    await job.handle.cancel();
    const error = await job.handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(await h.query(job)).toMatchObject({ status: 'CANCELLED' });
    await vi.waitFor(async () => expect((await h.emulator.inspect()).activeGenerations).toBe(0));
    // The second extra image was never sent; the first, sent before the cancel, is paid and kept.
    expect(await h.emulator.task(extraUUIDs[1] as string)).toBeUndefined();
    const images = (await h.eventsOf(input.jobId)).filter((event) => event.stage === 'image_ready');
    expect(images).toHaveLength(3);
    const { ledger } = await h.emulator.inspect();
    expect(ledger).toMatchObject({ charges: images.length, reserved: 0 });
    const usage = await usageOfTenant(h.redis, input.tenant);
    expect(usage).toMatchObject({ images: images.length, jobs: { CANCELLED: 1 } });
  }, 120_000);

  it('makes no extra image when every image passes', async () => {
    const { input, state } = await start('a portrait', 2, 2);
    expect(state.images.map((image) => image.belowMinLikeness)).toEqual([false, false]);
    await expectChargedOnce(input, 2);
  }, 120_000);
});
