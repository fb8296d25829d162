import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  checkPhotoBytes,
  faceCheckNote,
  MAX_PHOTO_BYTES,
  sizeWarning,
} from '../src/form/reference-photos.ts';

const image = (format: 'png' | 'jpeg' | 'webp' | 'gif') =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: '#c89' } })
    .toFormat(format)
    .toBuffer();

describe('checkPhotoBytes', () => {
  it('accepts PNG, JPEG and WEBP by their bytes', async () => {
    for (const [format, type] of [
      ['png', 'image/png'],
      ['jpeg', 'image/jpeg'],
      ['webp', 'image/webp'],
    ] as const) {
      const bytes = await image(format);
      expect(checkPhotoBytes(bytes.length, bytes)).toEqual({ ok: true, mediaType: type });
    }
  });

  it('refuses other formats, empty files and files over the limit, saying why', async () => {
    const gif = await image('gif');
    expect(checkPhotoBytes(gif.length, gif)).toEqual({
      ok: false,
      reason: 'is not a PNG, JPEG or WEBP image',
    });
    expect(checkPhotoBytes(0, [])).toEqual({ ok: false, reason: 'is empty' });
    const png = await image('png');
    expect(checkPhotoBytes(MAX_PHOTO_BYTES + 1024 * 1024, png)).toEqual({
      ok: false,
      reason: 'is 9.0 MB; the limit is 8.0 MB per photo',
    });
  });

  it('warns about small photos', () => {
    expect(sizeWarning(300, 400)).toContain('300×400');
    expect(sizeWarning(1024, 768)).toBeUndefined();
  });
});

describe('faceCheckNote', () => {
  it('says a photo passed, or what is wrong with it in plain words', () => {
    expect(faceCheckNote({ ok: true, reason: null })).toBe('✓ one clear face');
    expect(faceCheckNote({ ok: false, reason: 'multipleFaces' })).toContain('more than one face');
    expect(faceCheckNote({ ok: false, reason: 'somethingNew' })).toBe('face check: somethingNew');
  });
});
