import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import { RunwareApiError } from '../src/errors.ts';
import type { ResultSnapshot } from '../src/flows/wait-for-results.ts';
import { EMULATOR_KEY, Emulator, imageBytes, referencePng } from './support/emulator.ts';

// Every task type and delivery mode against the real emulator process, over real sockets.
let emulator: Emulator;
let client: RunwareClient;
let reference: string;

const base = () => ({
  inputImages: [reference],
  positivePrompt: 'portrait photo, soft light',
  model: 'civitai:139562@344487',
  width: 256,
  height: 256,
  steps: 4,
});

beforeAll(async () => {
  emulator = await Emulator.start();
  client = new RunwareClient({
    baseUrl: emulator.restUrl,
    apiKey: EMULATOR_KEY,
    poll: { initialDelayMs: 20 },
  });
  reference = await referencePng();
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

describe('ping and authentication', () => {
  it('ping answers pong', async () => {
    expect(await client.ping()).toBe(true);
  });

  it('a wrong key is an auth error that no retry can fix', async () => {
    const stranger = new RunwareClient({ baseUrl: emulator.restUrl, apiKey: 'not-a-key-we-issued' });
    const error = await stranger.ping().catch((e: unknown) => e);
    await stranger.close();
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({ status: 401, code: 'invalidApiKey', category: 'auth', retryable: false });
    expect(JSON.stringify(error)).not.toContain('not-a-key-we-issued');
  });
});

describe('imageUpload', () => {
  it('uploads a data URI and raw base64; the same bytes keep their imageUUID; the UUID works as input', async () => {
    const first = await client.imageUpload({ image: reference });
    const again = await client.imageUpload({ image: reference.slice(reference.indexOf(',') + 1) });
    expect(first.taskType).toBe('imageUpload');
    expect(first.imageUUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.imageUUID).toBe(first.imageUUID);
    const [image] = await client.photoMaker({ ...base(), inputImages: [first.imageUUID] });
    expect(image?.inputImagesUUID).toEqual([first.imageUUID]);
  });

  it('re-sending an upload with the same taskUUID returns the first result, uploaded once', async () => {
    const taskUUID = randomUUID();
    const first = await client.imageUpload({ image: await referencePng(90), taskUUID });
    const again = await client.imageUpload({ image: await referencePng(90), taskUUID });
    expect(again).toMatchObject({ taskUUID, imageUUID: first.imageUUID });
    expect((await emulator.task(taskUUID)).submissions).toBe(2);
  });
});

describe('photoMaker sync', () => {
  const formats = [
    ['JPG', 'jpeg', 'URL'],
    ['PNG', 'png', 'base64Data'],
    ['WEBP', 'webp', 'dataURI'],
  ] as const;
  it.each(formats)(
    '%s as %s decodes to the requested size (%s)',
    async (outputFormat, decoded, outputType) => {
      const results = await client.photoMaker({
        ...base(),
        width: 320,
        height: 192,
        outputFormat,
        outputType,
      });
      expect(results).toHaveLength(1);
      const [result] = results;
      if (!result) throw new Error('no result');
      if (outputType === 'URL') expect(result.imageURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      if (outputType === 'base64Data') expect(result.imageBase64Data).toMatch(/^[A-Za-z0-9+/]+=*$/);
      if (outputType === 'dataURI') expect(result.imageDataURI).toMatch(/^data:image\/webp;base64,/);
      const meta = await sharp(await imageBytes(result)).metadata();
      expect(meta).toMatchObject({ width: 320, height: 192, format: decoded });
    },
  );

  it('seeds go +1 per image, exact beyond 2^53, with cost and NSFW flags when asked', async () => {
    const seed = '9007199254740993'; // 2^53 + 1: a double would round it
    const indices: number[] = [];
    const results = await client.photoMaker(
      { ...base(), numberResults: 3, seed, includeCost: true, safety: { checkContent: true } },
      { onResult: (_r, index) => indices.push(index) },
    );
    expect(results.map((r) => r.seed)).toEqual(['9007199254740993', '9007199254740994', '9007199254740995']);
    expect(indices).toEqual([0, 1, 2]);
    for (const result of results) {
      expect(result.cost).toBeGreaterThan(0);
      expect(typeof result.NSFWContent).toBe('boolean');
      expect(result.inputImagesUUID).toHaveLength(1);
    }
    expect(new Set(results.map((r) => r.imageUUID)).size).toBe(3);
  });

  it('without includeCost/safety there is no cost or NSFWContent', async () => {
    const [result] = await client.photoMaker(base());
    expect(result).not.toHaveProperty('cost');
    expect(result).not.toHaveProperty('NSFWContent');
  });
});

describe('photoMaker async + getResponse', () => {
  it('submit acks at once; getResponse shows per-image state; results arrive in order', async () => {
    // One image at a time, ~150 ms each, so partial states are observable.
    await emulator.setLatency({ imageMs: 150, parallelism: 1 });
    try {
      const submitted = await client.submit({ ...base(), numberResults: 3 });
      expect(submitted).toMatchObject({ alreadyAccepted: false, results: [] });
      const first = await client.getResponse(submitted.taskUUID);
      expect(first.items).toHaveLength(3);
      expect(first.items.some((item) => item.status === 'processing')).toBe(true);
      const snapshots: ResultSnapshot[] = [];
      const arrived: number[] = [];
      const results = await client.waitForResults(submitted.taskUUID, {
        numberResults: 3,
        poll: { initialDelayMs: 30, maxDelayMs: 60 },
        onSnapshot: (snapshot) => snapshots.push(snapshot),
        onResult: (_result, index) => arrived.push(index),
      });
      expect(arrived).toEqual([0, 1, 2]);
      const counts = snapshots.map((s) => s.results.length);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(counts.some((count) => count > 0 && count < 3)).toBe(true);
      const record = await emulator.task(submitted.taskUUID);
      expect(results.map((r) => r.imageUUID)).toEqual(record.images.map((image) => image.imageUUID));
      expect(results.map((r) => r.seed)).toEqual(record.images.map((image) => image.seed));
      expect(record.charges).toBe(3);
    } finally {
      await emulator.setLatency({ imageMs: 0, parallelism: 4 });
    }
  });

  it('runPhotoMaker async: one submission, one charge per image', async () => {
    const taskUUID = randomUUID();
    const run = await client.runPhotoMaker({ ...base(), taskUUID, numberResults: 2 }, { mode: 'async' });
    expect(run).toMatchObject({ taskUUID, via: 'getResponse', alreadyAccepted: false });
    expect(run.results).toHaveLength(2);
    expect(await emulator.task(taskUUID)).toMatchObject({ submissions: 1, charges: 2, generations: 2 });
  });

  it('with webhookURL and uploadEndpoint: acked at once, results by polling, one POST and one PUT per image', async () => {
    const received: { method: string; type: string; body: Buffer }[] = [];
    const sink = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          type: req.headers['content-type'] ?? '',
          body: Buffer.concat(chunks),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
    try {
      const taskUUID = randomUUID();
      const run = await client.runPhotoMaker(
        {
          ...base(),
          taskUUID,
          numberResults: 2,
          outputFormat: 'PNG',
          webhookURL: `${origin}/hook?token=t`,
          uploadEndpoint: `${origin}/upload`,
        },
        { mode: 'async' },
      );
      expect(run.results).toHaveLength(2);
      await expect.poll(() => received.length, { timeout: 5_000 }).toBe(4);
      const posts = received.filter((r) => r.method === 'POST');
      const puts = received.filter((r) => r.method === 'PUT');
      expect(posts).toHaveLength(2);
      expect(puts).toHaveLength(2);
      const hooked = posts.flatMap(
        (post) => (JSON.parse(post.body.toString()) as { data: { imageUUID: string }[] }).data,
      );
      expect(hooked.map((item) => item.imageUUID).sort()).toEqual(run.results.map((r) => r.imageUUID).sort());
      for (const put of puts)
        expect(await sharp(put.body).metadata()).toMatchObject({ format: 'png', width: 256 });
    } finally {
      await new Promise<void>((resolve) => sink.close(() => resolve()));
    }
  });

  it('getResponse of an unknown task is notFound', async () => {
    await expect(client.getResponse(randomUUID())).rejects.toMatchObject({
      status: 404,
      code: 'taskNotFound',
      category: 'notFound',
      retryable: false,
    });
  });
});

describe('getTaskDetails', () => {
  it('finds an accepted task (its request and images) and says undefined for one Runware never got', async () => {
    const taskUUID = randomUUID();
    await client.submit({ ...base(), taskUUID, numberResults: 2, seed: '77' });
    const results = await client.waitForResults(taskUUID, { numberResults: 2 });
    const details = await client.getTaskDetails(taskUUID);
    expect(details?.request).toHaveLength(1);
    expect(details?.request[0]).toMatchObject({ taskUUID, numberResults: 2 });
    const found = details?.items.flatMap((item) => (item.status === 'success' ? [item.imageUUID] : []));
    expect(new Set(found)).toEqual(new Set(results.map((result) => result.imageUUID)));
    expect(details?.errors).toEqual([]);
    // Never sent: safe to send now (nothing is paid twice).
    expect(await client.getTaskDetails(randomUUID())).toBeUndefined();
  });
});
