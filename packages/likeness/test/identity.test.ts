import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkReference, faceModels, likeness, meanEmbedding, samePerson } from '../src/index.ts';
import { sampleFace } from '../src/samples.ts';

async function embeddingOf(bytes: Buffer): Promise<number[]> {
  const r = await checkReference(bytes);
  if (!r.embedding) throw new Error(`no face: ${r.reason}`);
  return r.embedding;
}

/** The face pasted, smaller, onto a flat "styled scene", as a generated portrait would place it. */
async function inScene(face: Buffer): Promise<Buffer> {
  const small = await sharp(face).resize(300).toBuffer();
  return sharp({ create: { width: 768, height: 768, channels: 3, background: '#3a6ea5' } })
    .composite([{ input: small, left: 240, top: 160 }])
    .jpeg()
    .toBuffer();
}

describe('identity on real photos', async () => {
  const a = await sampleFace('left');
  const aWide = await sampleFace('left', 0.5);
  const aBright = await sharp(a).modulate({ brightness: 1.3 }).jpeg().toBuffer();
  const b = await sampleFace('third');

  it('names the odd one out among four references', async () => {
    const refs = await Promise.all([a, aWide, b, aBright].map(embeddingOf));
    expect(samePerson(refs)).toMatchObject({ ok: false, oddOneOut: 2 });
    const same = samePerson([refs[0], refs[1], refs[3]] as number[][]);
    expect(same.ok).toBe(true);
    expect(same.maxDistance).toBeLessThan(0.4);
  });

  it('scores the same face above one half, another face below, and no face as not found', async () => {
    const ref = meanEmbedding(await Promise.all([a, aWide, aBright].map(embeddingOf)));
    const on = await likeness(await inScene(a), ref);
    const off = await likeness(await inScene(b), ref);
    expect(on.faceFound).toBe(true);
    expect(off.faceFound).toBe(true);
    expect(on.likeness).toBeGreaterThan(0.7);
    expect(off.likeness).toBeLessThan(0.5);
    const empty = await sharp({ create: { width: 512, height: 512, channels: 3, background: '#3a6ea5' } })
      .png()
      .toBuffer();
    expect(await likeness(empty, ref)).toEqual({ faceFound: false, likeness: 0 });
  });

  it('loads the models once per process', async () => {
    expect(faceModels()).toBe(faceModels());
    const before = await faceModels();
    await checkReference(a);
    expect(await faceModels()).toBe(before);
  });
});
