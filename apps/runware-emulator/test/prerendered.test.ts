import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PrerenderedRenderer } from '../src/generation/prerendered.ts';
import { ReferenceCache } from '../src/generation/reference-cache.ts';
import { Renderer, type RenderRequest } from '../src/generation/renderer.ts';
import { facePng } from './helpers/fixtures.ts';

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function request(overrides: Partial<RenderRequest> = {}): Promise<RenderRequest> {
  const bytes = await facePng('a');
  return {
    references: [{ hash: sha(bytes), bytes }],
    width: 128,
    height: 96,
    style: 'No style',
    strength: 15,
    lora: [],
    seed: '1',
    positivePrompt: 'rwre, portrait',
    outputFormat: 'JPG',
    outputQuality: 90,
    flagged: false,
    ...overrides,
  };
}

describe('PrerenderedRenderer (--images prerendered)', () => {
  it('renders each size and format once, and gives every image valid bytes of its own', async () => {
    const real = new Renderer(new ReferenceCache());
    let renders = 0;
    const prerendered = new PrerenderedRenderer({
      render: (r) => {
        renders += 1;
        return real.render(r);
      },
    });
    for (const outputFormat of ['JPG', 'PNG'] as const) {
      const digests = new Set<string>();
      for (const seed of ['1', '2', '3']) {
        const image = await prerendered.render(await request({ seed, outputFormat }));
        const meta = await sharp(image.bytes).metadata();
        expect([meta.width, meta.height]).toEqual([128, 96]);
        expect(meta.format).toBe(outputFormat === 'JPG' ? 'jpeg' : 'png');
        // Decodes to the whole picture (a broken chunk or segment would fail here).
        expect((await sharp(image.bytes).raw().toBuffer()).length).toBe(128 * 96 * 3);
        digests.add(sha(image.bytes));
      }
      expect(digests.size).toBe(3);
    }
    await prerendered.render(await request({ width: 64, height: 64 }));
    expect(renders).toBe(3);
  });
});
