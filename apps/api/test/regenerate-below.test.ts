import { sampleFace } from '@photomaker/likeness/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, gql, startApi, tenants, v1 } from './helpers.ts';

// `regenerateBelow` end to end (real Temporal, the worker with its vision queue, the emulator, real face
// models): validation naming the field on GraphQL and /v1, extra images as ordinary images with
// Job.regenerated, and numberResults + regenerateBelow images counted against the day's limit at once.

const who = tenants('regen');
const key = who.regen.key;
let api: Awaited<ReturnType<typeof startApi>>;
let portrait: string;

beforeAll(async () => {
  api = await startApi(who, { PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY: '8' });
  portrait = `data:image/jpeg;base64,${(await sampleFace('left')).toString('base64')}`;
});

afterAll(async () => {
  await api?.server.close();
});

type Job = {
  status: string;
  regenerateBelow: number | null;
  regenerated: number;
  images: { seed: string; likeness: number | null; belowMinLikeness: boolean | null }[];
};
const GENERATE_REGEN = `mutation Generate($input: PhotoMakerInput!) {
  generatePhotoMaker(input: $input) { status regenerateBelow regenerated images { seed likeness belowMinLikeness } }
}`;

describe('regenerateBelow', () => {
  it('is refused, naming the field, without minLikeness or above numberResults (GraphQL and /v1)', async () => {
    const noMin = await gql(api.url, key, GENERATE_REGEN, { input: baseInput({ regenerateBelow: 1 }) });
    expect(noMin.errors?.[0]?.extensions).toMatchObject({
      runwareCode: 'invalidRegenerateBelow',
      parameter: 'regenerateBelow',
    });
    const tooMany = await v1(api.url, key, [
      {
        taskType: 'photoMaker',
        taskUUID: crypto.randomUUID(),
        ...baseInput({ numberResults: 2 }),
        model: 'civitai:139562@344487',
        minLikeness: 0.5,
        regenerateBelow: 3,
      },
    ]);
    expect(tooMany.body.errors?.[0]).toMatchObject({
      code: 'invalidRegenerateBelow',
      parameter: 'regenerateBelow',
    });
  });

  it('makes extra images until numberResults pass; their worst case counts against the day at once', async () => {
    // Seed 7000 off-likeness, 7001 on: one image misses the bar, one extra image (7002) reaches it.
    const { data, errors } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE_REGEN, {
      input: baseInput({
        inputImages: [portrait],
        positivePrompt: 'a portrait, offlikenessbelowseed7001',
        seed: '7000',
        numberResults: 2,
        minLikeness: 0.5,
        regenerateBelow: 2,
        deliveryMethod: 'SYNC',
      }),
    });
    expect(errors).toBeUndefined();
    const job = data?.generatePhotoMaker;
    expect(job).toMatchObject({ status: 'SUCCEEDED', regenerateBelow: 2, regenerated: 1 });
    // Images are in arrival order: the job's two (either order), then its extra one.
    const bySeed = [...(job?.images ?? [])].sort((a, b) => a.seed.localeCompare(b.seed));
    expect(job?.images[2]?.seed).toBe('7002');
    expect(bySeed.map((image) => [image.seed, image.belowMinLikeness])).toEqual([
      ['7000', true],
      ['7001', false],
      ['7002', false],
    ]);
    // The same job's images on /v1 getResponse: its extra image is one item more.
    const taskUUID = crypto.randomUUID();
    const submitted = await v1(api.url, key, [
      {
        taskType: 'photoMaker',
        taskUUID,
        ...baseInput({ inputImages: [portrait], positivePrompt: 'a portrait, offlikenessbelowseed7001' }),
        model: 'civitai:139562@344487',
        seed: 7000,
        numberResults: 2,
        minLikeness: 0.5,
        regenerateBelow: 1,
        deliveryMethod: 'sync',
      },
    ]);
    expect(submitted.body.errors).toBeUndefined();
    const polled = await v1(api.url, key, [{ taskType: 'getResponse', taskUUID }]);
    const items = (polled.body.data ?? []) as { status?: string; seed?: unknown; likeness?: number }[];
    expect(items.map((item) => item.status)).toEqual(['success', 'success', 'success']);
    // The two at or above minLikeness first: a client taking the first numberResults gets those.
    expect(
      items
        .slice(0, 2)
        .map((item) => String(item.seed))
        .sort(),
    ).toEqual(['7001', '7002']);
    expect(String(items[2]?.seed)).toBe('7000');
    // Counted at submission, made or not: 2 + 2 and 2 + 1 of the day's eight; a job of up to two more
    // images (1 + regenerateBelow 1) is refused.
    const over = await gql(api.url, key, GENERATE_REGEN, {
      input: baseInput({ minLikeness: 0.5, regenerateBelow: 1 }),
    });
    expect(over.errors?.[0]?.extensions).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limitName: 'imagesPerDay',
      limit: 8,
      current: 7,
    });
  }, 120_000);
});
