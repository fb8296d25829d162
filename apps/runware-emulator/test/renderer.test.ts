import { createHash } from 'node:crypto';
import { PHOTOMAKER_STYLES } from '@photomaker/schema';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReferenceCache } from '../src/generation/reference-cache.ts';
import { Renderer, type RenderRequest } from '../src/generation/renderer.ts';
import { faceJpeg, facePng } from './helpers/fixtures.ts';

let references: RenderRequest['references'];
const hash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  const images = [await facePng('a'), await faceJpeg('b'), await facePng('c'), await faceJpeg('a')];
  references = images.map((bytes) => ({ hash: hash(bytes), bytes }));
});

function request(overrides: Partial<RenderRequest> = {}): RenderRequest {
  return {
    references: references.slice(0, 2),
    width: 128,
    height: 192,
    style: 'No style',
    strength: 15,
    lora: [],
    seed: '1',
    positivePrompt: 'rwre, portrait',
    outputFormat: 'PNG',
    outputQuality: 90,
    flagged: false,
    ...overrides,
  };
}

describe('Renderer', () => {
  it('renders every style at the exact size, each visibly different', async () => {
    const renderer = new Renderer(new ReferenceCache());
    const digests = new Set<string>();
    for (const style of PHOTOMAKER_STYLES) {
      const { bytes, mediaType } = await renderer.render(request({ style, strength: 40 }));
      const meta = await sharp(bytes).metadata();
      expect([mediaType, meta.width, meta.height]).toEqual(['image/png', 128, 192]);
      digests.add(hash(bytes));
    }
    expect(digests.size).toBe(PHOTOMAKER_STYLES.length);
  });

  it('is byte-for-byte deterministic and uses 1 to 4 references', async () => {
    const renderer = new Renderer(new ReferenceCache());
    for (const count of [1, 2, 3, 4]) {
      const input = request({
        references: references.slice(0, count),
        seed: '9223372036854775807',
        outputFormat: 'JPG',
      });
      const first = await renderer.render(input);
      const second = await new Renderer(new ReferenceCache()).render(input);
      expect(first.bytes.equals(second.bytes)).toBe(true);
    }
  });

  it('marks LoRAs: with them the image differs, by model and weight, and stays deterministic', async () => {
    const renderer = new Renderer(new ReferenceCache());
    const lora = [{ model: 'civitai:58390@62833', weight: 2 }];
    const plain = await renderer.render(request());
    const withLora = await renderer.render(request({ lora }));
    const again = await new Renderer(new ReferenceCache()).render(request({ lora }));
    const otherWeight = await renderer.render(request({ lora: [{ ...lora[0], weight: -0.5 } as never] }));
    const otherModel = await renderer.render(request({ lora: [{ model: 'civitai:1@1', weight: 2 }] }));
    expect(withLora.bytes.equals(plain.bytes)).toBe(false);
    expect(withLora.bytes.equals(again.bytes)).toBe(true);
    expect(otherWeight.bytes.equals(withLora.bytes)).toBe(false);
    expect(otherModel.bytes.equals(withLora.bytes)).toBe(false);
  });

  it('decodes each reference once across renders', async () => {
    const cache = new ReferenceCache();
    const renderer = new Renderer(cache);
    for (const seed of ['1', '2', '3']) await renderer.render(request({ seed }));
    expect(cache.misses).toBe(2);
    expect(cache.hits).toBe(4);
  });

  it('strength moves the result further from the plain composition', async () => {
    const renderer = new Renderer(new ReferenceCache());
    const pixels = async (strength: number) =>
      sharp((await renderer.render(request({ style: 'Neonpunk', strength }))).bytes)
        .raw()
        .toBuffer();
    const low = await pixels(15);
    const high = await pixels(50);
    const plain = await sharp((await renderer.render(request({ style: 'No style', strength: 15 }))).bytes)
      .raw()
      .toBuffer();
    const distance = (a: Buffer, b: Buffer) =>
      a.reduce((sum, value, i) => sum + Math.abs(value - (b[i] ?? 0)), 0);
    expect(distance(high, plain)).toBeGreaterThan(distance(low, plain));
  });
});
