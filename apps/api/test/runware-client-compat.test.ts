import { randomUUID } from 'node:crypto';
import { type PhotoMakerRequest, RunwareApiError, RunwareClient } from '@photomaker/runware';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG_DATA_URI, startApi, tenants } from './helpers.ts';

// A Runware SDK-style client pointed at our /v1 instead of Runware: the platform's own RunwareClient
// (the one the worker uses against Runware) must run every flow unchanged.
const who = tenants('sdk');
let api: Awaited<ReturnType<typeof startApi>>;
let client: RunwareClient;

beforeAll(async () => {
  api = await startApi(who);
  client = new RunwareClient({ baseUrl: `${api.url}/v1`, apiKey: who.sdk.key, retry: false });
});

afterAll(async () => {
  await client?.close();
  await api?.server.close();
});

const request = (inputImages: string[], overrides: Partial<PhotoMakerRequest> = {}): PhotoMakerRequest => ({
  taskUUID: randomUUID(),
  inputImages,
  model: 'civitai:139562@344487',
  positivePrompt: 'wearing a suit, professional photo',
  width: 512,
  height: 512,
  steps: 4,
  ...overrides,
});

describe('a Runware client against the /v1 gateway', () => {
  it('pings, uploads, and runs a sync photoMaker with the uploaded image', async () => {
    expect(await client.ping()).toBe(true);
    const { imageUUID } = await client.imageUpload({ image: PNG_DATA_URI });
    const results = await client.photoMaker(request([imageUUID], { numberResults: 2, seed: 42 }));
    expect(results.map((r) => r.seed).sort()).toEqual(['42', '43']);
    for (const result of results) expect((await fetch(result.imageURL ?? '')).status).toBe(200);
  });

  it('runs the async flow (submit + getResponse polling) and treats a re-sent taskUUID as already accepted', async () => {
    const task = request([PNG_DATA_URI], { numberResults: 2 });
    const first = await client.runPhotoMaker(task, { mode: 'async' });
    expect(first.alreadyAccepted).toBe(false);
    expect(first.results).toHaveLength(2);
    const again = await client.runPhotoMaker(task, { mode: 'async' });
    expect(again.alreadyAccepted).toBe(true);
    expect(again.results.map((r) => r.imageUUID).sort()).toEqual(
      first.results.map((r) => r.imageUUID).sort(),
    );
  });

  it('gets Runware-style validation errors', async () => {
    const error = await client
      .photoMaker(request([PNG_DATA_URI], { strength: 99 }), { validate: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ code: 'invalidStrength', parameter: 'strength', status: 400 });
  });
});
