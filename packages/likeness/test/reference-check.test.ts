import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkReference, MIN_EYE_DISTANCE_PX, referenceRejection } from '../src/index.ts';
import { sampleFace, samplePhoto } from '../src/samples.ts';

// Real photos, real models: faces cropped out of the group photos in @vladmandic/face-api's demo/.

describe('checkReference on real photos', () => {
  it('accepts one sharp frontal face and reports its box and measurements', async () => {
    const crop = await sampleFace('left');
    const r = await checkReference(crop);
    expect(r.ok).toBe(true);
    expect(r.reason).toBeUndefined();
    expect(r.embedding).toHaveLength(128);
    expect(r.metrics.faceCount).toBe(1);
    expect(r.metrics.eyeDistancePx).toBeGreaterThan(100);
    expect(r.metrics.blur).toBeGreaterThan(100);
    expect(Math.abs(r.metrics.yawDegrees)).toBeLessThan(30);
    const { width, height } = await sharp(crop).metadata();
    const box = r.faceBox;
    expect(box).toBeDefined();
    if (!box) return;
    // The face sits in the middle of a crop made around it.
    expect(box.x + box.width / 2).toBeGreaterThan(width * 0.35);
    expect(box.x + box.width / 2).toBeLessThan(width * 0.65);
    expect(box.y + box.height / 2).toBeGreaterThan(height * 0.3);
    expect(box.y + box.height / 2).toBeLessThan(height * 0.7);
  });

  it('refuses a group photo as multipleFaces', async () => {
    const r = await checkReference(await samplePhoto(1));
    expect(r).toMatchObject({ ok: false, reason: 'multipleFaces', metrics: { faceCount: 3 } });
  });

  it('refuses a photo without a person as noFace', async () => {
    // The bar's windows and furniture left of the first woman in sample3.
    const scene = await sharp(await samplePhoto(3))
      .extract({ left: 0, top: 0, width: 500, height: 600 })
      .jpeg()
      .toBuffer();
    const r = await checkReference(scene);
    expect(r).toMatchObject({ ok: false, reason: 'noFace', metrics: { faceCount: 0 } });
    expect(r.faceBox).toBeUndefined();
  });

  it('refuses a small face as faceTooSmall, with its measured size', async () => {
    const crop = await sampleFace('left');
    const small = await sharp(crop).resize(150).jpeg().toBuffer(); // eyes ~45 px apart
    const r = await checkReference(small);
    expect(r.reason).toBe('faceTooSmall');
    expect(r.metrics.eyeDistancePx).toBeLessThan(MIN_EYE_DISTANCE_PX);
    expect(r.metrics.eyeDistancePx).toBeGreaterThan(30);
  });

  it('refuses a blurred face as tooBlurry', async () => {
    const crop = await sampleFace('left');
    const r = await checkReference(await sharp(crop).blur(3).jpeg().toBuffer());
    expect(r.reason).toBe('tooBlurry');
  });
});

describe('referenceRejection', () => {
  const good = { faceCount: 1, eyeDistancePx: 120, blur: 150, yawDegrees: 5 };
  it('names the first broken rule in a fixed order', () => {
    expect(referenceRejection(good)).toBeUndefined();
    expect(referenceRejection({ ...good, yawDegrees: -60 })).toBe('profileFace');
    expect(referenceRejection({ ...good, yawDegrees: 60, blur: 3 })).toBe('tooBlurry');
    expect(referenceRejection({ ...good, blur: 3, eyeDistancePx: 20 })).toBe('faceTooSmall');
    expect(referenceRejection({ ...good, faceCount: 2, eyeDistancePx: 20 })).toBe('multipleFaces');
    expect(referenceRejection({ ...good, faceCount: 0 })).toBe('noFace');
  });
});
