import { sampleFace } from '@photomaker/likeness/samples';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './support/harness.ts';
import { usageOfTenant } from './support/usage.ts';

// regenerateBelow (issue #17) on the real stack: the emulator's `offlikenessbelowseedN` makes the images
// of seeds below N off-likeness, so a job's first images miss minLikeness and its extra images (seed +
// index) reach it; plain `offlikeness` makes every extra image miss too. Charges are the emulator's.

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('regenerate');
  await h.startWorkers();
});

beforeEach(async () => {
  await h.emulator.reset();
});

afterAll(async () => {
  await h?.close();
});

const SEED = 5000;

async function start(positivePrompt: string, numberResults: number, regenerateBelow: number) {
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
  const input = h.input(task, { tenant, minLikeness: 0.5, regenerateBelow });
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

  it('makes no extra image when every image passes', async () => {
    const { input, state } = await start('a portrait', 2, 2);
    expect(state.images.map((image) => image.belowMinLikeness)).toEqual([false, false]);
    await expectChargedOnce(input, 2);
  }, 120_000);
});
