import { sampleFace, samplePhoto } from '@photomaker/likeness/samples';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, GENERATE, gql, startApi, tenants, v1 } from './helpers.ts';

// `referenceCheck` end to end (real Temporal, the worker with its vision queue, the emulator, real face
// models): the tenant default (STRICT here) and a job's own value, on GraphQL and /v1 alike.

const who = tenants('faces');
const key = who.faces.key;
let api: Awaited<ReturnType<typeof startApi>>;
let groupPhoto: string;
let portrait: string;

const dataUri = (bytes: Buffer) => `data:image/jpeg;base64,${bytes.toString('base64')}`;

beforeAll(async () => {
  api = await startApi(who, { PHOTOMAKER_TENANT_DEFAULT_REFERENCE_CHECK: 'STRICT' });
  groupPhoto = dataUri(
    await sharp(await samplePhoto(1))
      .resize(1024)
      .jpeg()
      .toBuffer(),
  );
  portrait = dataUri(await sampleFace('left'));
});

afterAll(async () => {
  await api?.server.close();
});

type Job = {
  id: string;
  status: string;
  error: { code: string; parameter: string | null; message: string } | null;
  referenceWarnings: { code: string; parameter: string; reason: string | null }[] | null;
};
const GENERATE_CHECKED = `mutation Generate($input: PhotoMakerInput!) {
  generatePhotoMaker(input: $input) { id status error { code parameter message } referenceWarnings { code parameter reason } }
}`;

describe('referenceCheck', () => {
  it('tenant default STRICT: a group photo fails the job with invalidReferenceImage naming inputImages[1]', async () => {
    const { data, errors } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE_CHECKED, {
      input: baseInput({ inputImages: [portrait, groupPhoto], deliveryMethod: 'SYNC' }),
    });
    expect(errors).toBeUndefined();
    expect(data?.generatePhotoMaker).toMatchObject({
      status: 'FAILED',
      error: { code: 'invalidReferenceImage', parameter: 'inputImages[1]' },
    });
    expect(data?.generatePhotoMaker.error?.message).toContain('multipleFaces');
  });

  it('WARN on the job: it runs, and Job.referenceWarnings says why the photo is weak', async () => {
    const { data, errors } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE_CHECKED, {
      input: baseInput({ inputImages: [groupPhoto], deliveryMethod: 'SYNC', referenceCheck: 'WARN' }),
    });
    expect(errors).toBeUndefined();
    expect(data?.generatePhotoMaker).toMatchObject({
      status: 'SUCCEEDED',
      referenceWarnings: [
        { code: 'invalidReferenceImage', parameter: 'inputImages[0]', reason: 'multipleFaces' },
      ],
    });
  });

  it('OFF on the job: no check, referenceWarnings null', async () => {
    const { data } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE_CHECKED, {
      input: baseInput({ inputImages: [groupPhoto], deliveryMethod: 'SYNC', referenceCheck: 'OFF' }),
    });
    expect(data?.generatePhotoMaker).toMatchObject({ status: 'SUCCEEDED', referenceWarnings: null });
  });

  it('/v1 (an extra task field): the refusal is a Runware-style error naming the photo', async () => {
    const taskUUID = crypto.randomUUID();
    const response = await v1(api.url, key, [
      {
        taskType: 'photoMaker',
        taskUUID,
        ...baseInput({ inputImages: [groupPhoto] }),
        model: 'civitai:139562@344487',
        referenceCheck: 'STRICT',
      },
    ]);
    expect(response.body.errors?.[0]).toMatchObject({
      code: 'invalidReferenceImage',
      parameter: 'inputImages[0]',
      taskUUID,
    });
  });

  it('a job with a usable portrait runs and scores every image (GraphQL JobImage, /v1 extra fields)', async () => {
    const SCORED = `mutation Generate($input: PhotoMakerInput!) {
      generatePhotoMaker(input: $input) { status referenceWarnings { code } images { index likeness faceFound belowMinLikeness } }
    }`;
    type Scored = {
      status: string;
      referenceWarnings: unknown[];
      images: {
        index: number;
        likeness: number | null;
        faceFound: boolean | null;
        belowMinLikeness: boolean | null;
      }[];
    };
    const { data, errors } = await gql<{ generatePhotoMaker: Scored }>(api.url, key, SCORED, {
      input: baseInput({
        inputImages: [portrait],
        deliveryMethod: 'SYNC',
        numberResults: 2,
        minLikeness: 0.5,
      }),
    });
    expect(errors).toBeUndefined();
    expect(data?.generatePhotoMaker).toMatchObject({ status: 'SUCCEEDED', referenceWarnings: [] });
    for (const image of data?.generatePhotoMaker.images ?? []) {
      expect(image.faceFound).toBe(true);
      expect(image.likeness).toBeGreaterThan(0.6);
      expect(image.belowMinLikeness).toBe(false);
    }
    const taskUUID = crypto.randomUUID();
    const response = await v1(api.url, key, [
      {
        taskType: 'photoMaker',
        taskUUID,
        ...baseInput({ inputImages: [portrait] }),
        model: 'civitai:139562@344487',
      },
    ]);
    expect(response.body.errors).toBeUndefined();
    const item = response.body.data?.[0] as { likeness?: number; faceFound?: boolean } | undefined;
    expect(item?.faceFound).toBe(true);
    expect(item?.likeness).toBeGreaterThan(0.6);
  });

  it('uploadReferenceImage answers the check and the face box on demand', async () => {
    const UPLOAD = `mutation Upload($image: String!) {
      uploadReferenceImage(image: $image) { id check { ok reason faceCount eyeDistancePx faceBox { x y width height } } }
    }`;
    type Upload = {
      uploadReferenceImage: {
        check: {
          ok: boolean;
          reason: string | null;
          faceCount: number;
          eyeDistancePx: number;
          faceBox: { x: number; y: number; width: number; height: number } | null;
        };
      };
    };
    const good = await gql<Upload>(api.url, key, UPLOAD, { image: portrait });
    expect(good.errors).toBeUndefined();
    const check = good.data?.uploadReferenceImage.check;
    expect(check).toMatchObject({ ok: true, reason: null, faceCount: 1 });
    expect(check?.eyeDistancePx).toBeGreaterThan(100);
    expect(check?.faceBox?.width).toBeGreaterThan(150);
    const group = await gql<Upload>(api.url, key, UPLOAD, { image: groupPhoto });
    expect(group.data?.uploadReferenceImage.check).toMatchObject({
      ok: false,
      reason: 'multipleFaces',
      faceCount: 3,
    });
  });

  it('a bad value is refused naming the field, on GraphQL and on /v1; nothing starts', async () => {
    const result = await gql(api.url, key, GENERATE, { input: baseInput({ referenceCheck: 'MAYBE' }) });
    expect(result.errors?.[0]?.message).toContain('ReferenceCheck');
    const taskUUID = crypto.randomUUID();
    const response = await v1(api.url, key, [
      {
        taskType: 'photoMaker',
        taskUUID,
        ...baseInput(),
        model: 'civitai:139562@344487',
        referenceCheck: 'maybe',
      },
    ]);
    expect(response.body.errors?.[0]).toMatchObject({
      code: 'invalidReferenceCheck',
      parameter: 'referenceCheck',
    });
    const after = await v1(api.url, key, [{ taskType: 'getResponse', taskUUID }]);
    expect(after.body.data ?? []).toHaveLength(0);
    const badMin = await gql(api.url, key, GENERATE, { input: baseInput({ minLikeness: 7 }) });
    expect(badMin.errors?.[0]?.extensions).toMatchObject({ runwareCode: 'invalidMinLikeness' });
    const response2 = await v1(api.url, key, [
      {
        taskType: 'photoMaker',
        taskUUID: crypto.randomUUID(),
        ...baseInput(),
        model: 'civitai:139562@344487',
        minLikeness: 'high',
      },
    ]);
    expect(response2.body.errors?.[0]).toMatchObject({
      code: 'invalidMinLikeness',
      parameter: 'minLikeness',
    });
  });
});
