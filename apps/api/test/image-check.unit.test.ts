import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkImage } from '../src/jobs/image-check.ts';
import { animatedPng, animatedWebp, pngClaiming, pngOf, truncatedPng } from './support/bad-images.ts';

const limits = { maxPixels: 50_000_000 };

describe('checkImage: decoded, not sniffed', () => {
  it('accepts a real still image and reports what it read', async () => {
    expect(await checkImage(await pngOf(64, 48), limits)).toEqual({
      ok: true,
      mediaType: 'image/png',
      width: 64,
      height: 48,
    });
  });

  it('refuses a header claiming 60000x60000 from the header alone, naming the size and the limit', async () => {
    const started = performance.now();
    expect(await checkImage(pngClaiming(60_000, 60_000), limits)).toEqual({
      ok: false,
      reason: 'is 60000x60000 (3600.0 megapixels); the limit is 50.0 megapixels',
    });
    // Nothing of 3.6 gigapixels was decoded.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('applies the configured pixel limit at its edge', async () => {
    const image = await pngOf(100, 100);
    expect((await checkImage(image, { maxPixels: 10_000 })).ok).toBe(true);
    expect(await checkImage(image, { maxPixels: 9_999 })).toMatchObject({
      ok: false,
      reason: /the limit is/,
    });
  });

  it('refuses a truncated PNG whose header reads fine', async () => {
    expect(await checkImage(truncatedPng(), limits)).toEqual({
      ok: false,
      reason: 'cannot be decoded: the image/png data is truncated or corrupt',
    });
  });

  it('refuses a truncated JPEG', async () => {
    const jpeg = await sharp(await pngOf(256, 256))
      .jpeg()
      .toBuffer();
    expect(await checkImage(jpeg, limits)).toMatchObject({ ok: true, mediaType: 'image/jpeg' });
    expect(await checkImage(jpeg.subarray(0, jpeg.length >> 1), limits)).toEqual({
      ok: false,
      reason: 'cannot be decoded: the image/jpeg data is truncated or corrupt',
    });
  });

  it('refuses animated images: a multi-frame WEBP and an APNG', async () => {
    expect(await checkImage(await animatedWebp(), limits)).toEqual({
      ok: false,
      reason: 'is animated (2 frames); only still images are accepted',
    });
    expect(await checkImage(animatedPng(), limits)).toEqual({
      ok: false,
      reason: 'is an animated PNG; only still images are accepted',
    });
  });

  it('refuses bytes that are no image, and a PNG signature over other data', async () => {
    expect(await checkImage(Buffer.from('hello'), limits)).toEqual({
      ok: false,
      reason: 'is not a PNG, JPEG or WEBP image',
    });
    const fake = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(64),
    ]);
    expect(await checkImage(fake, limits)).toEqual({
      ok: false,
      reason: 'is not a decodable image/png (its header is unreadable)',
    });
  });
});
