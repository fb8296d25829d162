import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, GENERATE, gql, startApi, tenants } from './helpers.ts';

interface Job {
  status: string;
  images: { imageUUID: string }[];
  task: { inputImages: { kind: string; imageUUID: string | null }[] };
}

const who = tenants('owner', 'other');
let api: Awaited<ReturnType<typeof startApi>>;
let output: string;

beforeAll(async () => {
  api = await startApi(who);
  const { data, errors } = await gql<{ generatePhotoMaker: Job }>(api.url, who.owner.key, GENERATE, {
    input: baseInput({ deliveryMethod: 'SYNC' }),
  });
  expect(errors).toBeUndefined();
  output = data?.generatePhotoMaker.images[0]?.imageUUID ?? '';
  expect(output).toMatch(/^[0-9a-f-]{36}$/);
});

afterAll(() => api?.server.close());

describe('a generated image UUID as a reference', () => {
  it('is refused to another tenant, naming the index, and starts nothing', async () => {
    const { data, errors } = await gql<{ generatePhotoMaker: Job | null }>(api.url, who.other.key, GENERATE, {
      input: baseInput({ inputImages: [output] }),
    });
    expect(data?.generatePhotoMaker ?? null).toBeNull();
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidInputImages',
      path: ['input', 'inputImages', 0],
    });
    expect(errors?.[0]?.message).toContain(
      'inputImages[0] is not one of your reference images or generated images',
    );
  });

  it('is accepted from the tenant whose job made it (also in upper case)', async () => {
    for (const uuid of [output, output.toUpperCase()]) {
      const { data, errors } = await gql<{ generatePhotoMaker: Job }>(api.url, who.owner.key, GENERATE, {
        input: baseInput({ inputImages: [uuid] }),
      });
      expect(errors).toBeUndefined();
      expect(data?.generatePhotoMaker.task.inputImages[0]).toMatchObject({ kind: 'RUNWARE' });
    }
  });

  it('a UUID the platform never produced still passes (an image already on Runware)', async () => {
    const { errors } = await gql(api.url, who.other.key, GENERATE, {
      input: baseInput({ inputImages: ['0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'] }),
    });
    expect(errors).toBeUndefined();
  });
});
