import { randomUUID } from 'node:crypto';
import { EPhotoMakerEnum, RunwareServer } from '@runware/sdk-js';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PNG_DATA_URI, setEmulatorLatency, startApi, tenants } from './helpers.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

// Runware's official JS SDK (@runware/sdk-js, pinned in the workspace catalog; WebSocket only) runs its
// imageUpload + photoMaker flows unchanged against the API's /v1, through a proxy that cuts the
// connection in the middle of a multi-image job.
const who = tenants('js');
let api: Awaited<ReturnType<typeof startApi>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
const clients: RunwareServer[] = [];

beforeAll(async () => {
  api = await startApi(who);
  proxy = await startTcpProxy(new URL(api.url));
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.disconnect();
  await setEmulatorLatency(0);
});

afterAll(async () => {
  await proxy?.close();
  await api?.server.close();
});

async function connect(timeoutDuration = 60_000, dryRun = false): Promise<RunwareServer> {
  const client = new RunwareServer({
    apiKey: who.js.key,
    url: `${proxy.url.replace(/^http/, 'ws')}/v1`,
    timeoutDuration,
    dryRun,
  });
  clients.push(client);
  await client.ensureConnection();
  return client;
}

const photoMaker = (inputImages: string[], numberResults: number) => ({
  positivePrompt: 'wearing a suit, professional photo',
  inputImages,
  model: 'civitai:139562@344487',
  style: EPhotoMakerEnum.Photographic,
  strength: 20,
  width: 512,
  height: 512,
  steps: 4,
  numberResults,
});

describe("Runware's JS SDK (@runware/sdk-js) against /v1", () => {
  it('uploads an image and runs photoMaker with it', async () => {
    const client = await connect();
    const uploaded = await client.imageUpload({ image: PNG_DATA_URI });
    expect(uploaded).toMatchObject({ taskType: 'imageUpload', imageUUID: expect.any(String) });
    const images = await client.photoMaker(photoMaker([String(uploaded?.imageUUID)], 2));
    expect(images).toHaveLength(2);
    for (const image of images ?? []) {
      expect(image).toMatchObject({ taskType: 'photoMaker', imageUUID: expect.any(String) });
      expect((await fetch(String(image.imageURL))).status).toBe(200);
    }
  });

  it('dryRun: true (its ?dryRun=1) gets the price of a photoMaker and an upload, and starts nothing', async () => {
    const client = await connect(20_000, true);
    const uploaded = await client.imageUpload({ image: PNG_DATA_URI });
    expect(uploaded).toMatchObject({ taskType: 'imageUpload', cost: 0 });
    const priced = await client.photoMaker(photoMaker([PNG_DATA_URI], 1));
    expect(priced).toEqual([
      { taskType: 'photoMaker', taskUUID: expect.any(String), cost: expect.any(Number) },
    ]);
    expect(Number(priced?.[0]?.cost)).toBeGreaterThan(0);
    // The priced taskUUID names no job.
    const plain = await connect();
    const lookup = await plain
      .getResponse({ taskUUID: String(priced?.[0]?.taskUUID) })
      .catch((e: unknown) => e);
    expect(JSON.stringify(lookup)).toContain('taskNotFound');
  });

  it('gets a validation error in Runware shape', async () => {
    const client = await connect();
    // retry: 1 — with retries left, sdk-js's photoMaker resolves undefined on an API error instead of
    // throwing it (its own behaviour, against Runware too).
    const error = await client
      .photoMaker({ ...photoMaker([PNG_DATA_URI], 1), strength: 99, taskUUID: randomUUID(), retry: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ error: { code: 'invalidStrength', parameter: 'strength' } });
  });

  it('finishes a 4-image job through a dropped connection without losing an image', async () => {
    // sdk-js reconnects without resuming its session; after its timeout it asks for the images it is
    // missing under a new taskUUID (its own retry), and returns all it was asked for.
    const client = await connect(4_000);
    await setEmulatorLatency(400);
    let dropped = false;
    const images = await client.photoMaker({
      ...photoMaker([PNG_DATA_URI], 4),
      onPartialImages: (partial) => {
        if (dropped || (partial ?? []).length === 0) return;
        dropped = true;
        proxy.drop();
      },
    });
    expect(dropped).toBe(true);
    expect(new Set((images ?? []).map((image) => image.imageUUID)).size).toBe(4);
  }, 60_000);
});
