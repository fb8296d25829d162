import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { startEmulator } from './helpers/emulator.ts';
import { dataUri, faceJpeg, facePng, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { Receiver } from './helpers/receiver.ts';
import { inspectTask, post } from './helpers/rest.ts';

let emulator: Emulator;
let clockOffsetMs = 0;
let faceA: string;
let faceB: string;
let receiver: Receiver;
let receiverUrl: string;

beforeAll(async () => {
  emulator = await startEmulator({ now: () => Date.now() + clockOffsetMs });
  faceA = dataUri(await facePng('a'));
  faceB = dataUri(await faceJpeg('b'), 'image/jpeg');
  receiver = new Receiver();
  const jpeg = await faceJpeg('c');
  receiver.respond = () => ({ status: 200, body: jpeg, type: 'image/jpeg' });
  receiverUrl = await receiver.start();
});
afterAll(async () => {
  await emulator.close();
  await receiver.close();
});

async function generate(overrides: Record<string, unknown>, inputs = [faceA]) {
  const task = photoMakerTask(inputs, { outputType: 'base64Data', ...overrides });
  const reply = await post(emulator, [task]);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return { task, items: reply.body.data ?? [] };
}

function bytesOf(item: Record<string, unknown>): Buffer {
  return Buffer.from(String(item.imageBase64Data), 'base64');
}

describe('generated images', () => {
  it.each([
    ['JPG', 'jpeg', 128, 192],
    ['PNG', 'png', 192, 128],
    ['WEBP', 'webp', 256, 256],
  ])('%s decodes to exactly the requested size and format', async (outputFormat, format, width, height) => {
    const { items } = await generate({ outputFormat, width, height });
    const meta = await sharp(bytesOf(items[0] as Record<string, unknown>)).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({
      format,
      width,
      height,
    });
  });

  it('honours outputQuality (lower quality, fewer bytes)', async () => {
    const seed = 77;
    const high = await generate({ outputFormat: 'JPG', outputQuality: 95, seed, width: 256, height: 256 });
    const low = await generate({ outputFormat: 'JPG', outputQuality: 20, seed, width: 256, height: 256 });
    expect(bytesOf(low.items[0] as Record<string, unknown>).length).toBeLessThan(
      bytesOf(high.items[0] as Record<string, unknown>).length,
    );
  });

  it('is deterministic for a seed, differs across seeds, and gives seed+1 to each extra result', async () => {
    const first = await generate({ seed: 4242, numberResults: 3 });
    const again = await generate({ seed: 4242, numberResults: 1 });
    expect(first.items.map((item) => item.seed)).toEqual(['4242', '4243', '4244']);
    const [a, b, c] = first.items.map(bytesOf);
    expect(bytesOf(again.items[0] as Record<string, unknown>).equals(a as Buffer)).toBe(true);
    expect((a as Buffer).equals(b as Buffer)).toBe(false);
    expect((b as Buffer).equals(c as Buffer)).toBe(false);
  });

  it('is built from the reference images and the style', async () => {
    const base = await generate({ seed: 9, style: 'No style' });
    const otherFace = await generate({ seed: 9, style: 'No style' }, [faceB]);
    const otherStyle = await generate({ seed: 9, style: 'Line art' });
    const stats = async (item: Record<string, unknown>) => (await sharp(bytesOf(item)).stats()).channels;
    const baseStats = await stats(base.items[0] as Record<string, unknown>);
    const faceStats = await stats(otherFace.items[0] as Record<string, unknown>);
    const styleStats = await stats(otherStyle.items[0] as Record<string, unknown>);
    type Channels = Awaited<ReturnType<typeof stats>>;
    const distance = (x: Channels, y: Channels) =>
      x.reduce((sum, channel, i) => sum + Math.abs(channel.mean - (y[i]?.mean ?? 0)), 0);
    expect(distance(baseStats, faceStats)).toBeGreaterThan(10);
    expect(distance(baseStats, styleStats)).toBeGreaterThan(10);
    // Line art is ink on paper: far lighter than the photo composition.
    const lightness = (s: Channels) => s.reduce((sum, channel) => sum + channel.mean, 0) / s.length;
    expect(lightness(styleStats)).toBeGreaterThan(lightness(baseStats));
  });

  it('returns inputImagesUUID: the uploaded UUID, or a stable UUID for inline and URL images', async () => {
    const upload = await post(emulator, [{ taskType: 'imageUpload', taskUUID: uuid(), image: faceA }]);
    const uploaded = String(upload.body.data?.[0]?.imageUUID);
    const { items } = await generate({}, [uploaded, faceA, `${receiverUrl}/face.jpg`]);
    const ids = items[0]?.inputImagesUUID as string[];
    expect(ids[0]).toBe(uploaded);
    expect(ids[1]).toBe(uploaded);
    expect(ids[2]).toMatch(/^[0-9a-f-]{36}$/);
    expect(receiver.received.filter((request) => request.path === '/face.jpg')).toHaveLength(1);
    const generatedAsInput = await generate({}, [String(items[0]?.imageUUID)]);
    expect(generatedAsInput.items[0]?.inputImagesUUID).toEqual([items[0]?.imageUUID]);
  });

  it('picks a random 32-bit seed when none is given', async () => {
    const { items } = await generate({ numberResults: 2 });
    const seed = Number(items[0]?.seed);
    expect(Number.isInteger(seed) && seed >= 1 && seed < 2 ** 32).toBe(true);
    expect(Number(items[1]?.seed)).toBe(seed + 1);
  });

  it('adds cost only with includeCost, priced by pixels x steps', async () => {
    const without = await generate({});
    expect(without.items[0]?.cost).toBeUndefined();
    const small = await generate({ includeCost: true, width: 512, height: 512, steps: 20 });
    const large = await generate({
      includeCost: true,
      width: 1024,
      height: 1024,
      steps: 20,
      outputFormat: 'JPG',
    });
    expect(large.items[0]?.cost).toBe(0.0019);
    expect(small.items[0]?.cost).toBe(0.000475);
    const record = await inspectTask(emulator, String(large.task.taskUUID));
    expect(record).toMatchObject({ generations: 1, charges: 1, cost: 0.0019 });
  });

  it('reports NSFWContent only with safety, flagged when the prompt has the word nsfw', async () => {
    const none = await generate({});
    expect(none.items[0]).not.toHaveProperty('NSFWContent');
    const clean = await generate({ safety: { checkContent: true }, seed: 5 });
    expect(clean.items[0]?.NSFWContent).toBe(false);
    const flagged = await generate({
      safety: { mode: 'full' },
      seed: 5,
      positivePrompt: 'rwre, NSFW beach photo',
    });
    expect(flagged.items[0]?.NSFWContent).toBe(true);
    const off = await generate({ safety: { mode: 'none', checkContent: true }, positivePrompt: 'nsfw' });
    expect(off.items[0]?.NSFWContent).toBe(false);
    // A flagged image is blurred: far less detail than the clean one.
    const sharpness = async (item: Record<string, unknown>) => (await sharp(bytesOf(item)).stats()).sharpness;
    expect(await sharpness(flagged.items[0] as Record<string, unknown>)).toBeLessThan(
      await sharpness(clean.items[0] as Record<string, unknown>),
    );
  });
});

describe('output types', () => {
  it('dataURI carries the media type of the format', async () => {
    const { items } = await generate({ outputType: 'dataURI', outputFormat: 'WEBP' });
    const uri = String(items[0]?.imageDataURI);
    expect(uri.startsWith('data:image/webp;base64,')).toBe(true);
    const meta = await sharp(Buffer.from(uri.split(',')[1] as string, 'base64')).metadata();
    expect(meta.format).toBe('webp');
  });

  it('URL is served by the emulator until ttl, then 404', async () => {
    const { items } = await generate({ outputType: 'URL', outputFormat: 'PNG', ttl: 60 });
    const url = String(items[0]?.imageURL);
    expect(url).toMatch(new RegExp(`^${emulator.url}/images/[0-9a-f-]{36}\\.png$`));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([128, 128]);
    clockOffsetMs = 61_000;
    try {
      expect((await fetch(url)).status).toBe(404);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('URL without ttl lives a day', async () => {
    const { items } = await generate({ outputType: 'URL' });
    clockOffsetMs = 23 * 3600 * 1000;
    try {
      expect((await fetch(String(items[0]?.imageURL))).status).toBe(200);
      clockOffsetMs = 25 * 3600 * 1000;
      expect((await fetch(String(items[0]?.imageURL))).status).toBe(404);
    } finally {
      clockOffsetMs = 0;
    }
  });
});
