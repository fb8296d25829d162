/**
 * Measures what the thresholds in src/thresholds.ts rest on, on the sample photos:
 * - per face crop: eye distance, blur, yaw (all real references must pass);
 * - same-person pairs: each crop vs edited copies of itself (flip, light, JPEG q30, half size, 8 deg
 *   rotation, other margin); different-person pairs: every pair of distinct faces;
 * - size sweep: embedding drift and detection as the eye distance shrinks;
 * - blur sweep: blur metric and embedding drift under Gaussian blur.
 * Run: node scripts/calibrate.ts  (a few minutes on one core). Prints JSON-ish lines.
 */
import sharp, { type Sharp } from 'sharp';
import { detectFaces, euclidean, eyeDistance, yawDegrees } from '../src/index.ts';
import { sampleFaceCrops } from '../test/samples.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);

const crops = await sampleFaceCrops();
say(`faces: ${crops.length}`);

const base = new Map<string, number[]>();
for (const c of crops) {
  const t0 = performance.now();
  const f = (await detectFaces(c.bytes)).faces[0];
  if (!f) throw new Error(`no face in ${c.id}`);
  base.set(c.id, f.embedding);
  const r = (x: number) => Math.round(x * 10) / 10;
  say(
    `face ${c.id} eye=${r(eyeDistance(f.landmarks))} blur=${r(f.blur)} yaw=${r(yawDegrees(f.landmarks))} ms=${r(performance.now() - t0)}`,
  );
}

const different: number[] = [];
const ids = [...base.keys()];
for (let i = 0; i < ids.length; i++) {
  for (let j = i + 1; j < ids.length; j++) {
    const d = euclidean(base.get(ids[i] as string) ?? [], base.get(ids[j] as string) ?? []);
    different.push(d);
    if (d < 0.55) say(`close different pair ${ids[i]} ${ids[j]} d=${d.toFixed(3)}`);
  }
}

const edits: Record<string, (s: Sharp, w: number) => Sharp> = {
  flip: (s) => s.flop(),
  dark: (s) => s.modulate({ brightness: 0.6 }),
  bright: (s) => s.modulate({ brightness: 1.4 }),
  jpeg30: (s) => s.jpeg({ quality: 30 }),
  half: (s, w) => s.resize(Math.round(w / 2)),
  rot8: (s) => s.rotate(8, { background: '#808080' }),
  grey: (s) => s.greyscale(),
};
const same: number[] = [];
const sizeDrift = new Map<number, { d: number[]; missed: number }>();
const blurStats = new Map<number, { blur: number[]; d: number[]; missed: number }>();
for (const c of crops) {
  const ref = base.get(c.id) ?? [];
  const w = (await sharp(c.bytes).metadata()).width;
  for (const [name, edit] of Object.entries(edits)) {
    const bytes = await edit(sharp(c.bytes), w).jpeg().toBuffer();
    const f = (await detectFaces(bytes)).faces[0];
    if (!f) {
      say(`edit ${name} lost ${c.id}`);
      continue;
    }
    same.push(euclidean(ref, f.embedding));
  }
  const f0 = (await detectFaces(c.bytes)).faces[0];
  const eye0 = f0 ? eyeDistance(f0.landmarks) : 1;
  for (const eye of [80, 60, 50, 40, 30, 20]) {
    if (eye >= eye0) continue;
    const bytes = await sharp(c.bytes)
      .resize(Math.round((w * eye) / eye0))
      .jpeg()
      .toBuffer();
    const f = (await detectFaces(bytes)).faces[0];
    const s = sizeDrift.get(eye) ?? { d: [], missed: 0 };
    if (f) s.d.push(euclidean(ref, f.embedding));
    else s.missed++;
    sizeDrift.set(eye, s);
  }
  for (const sigma of [0, 1, 2, 3, 4, 6]) {
    const img = sharp(c.bytes);
    const bytes = await (sigma ? img.blur(sigma) : img).jpeg().toBuffer();
    const f = (await detectFaces(bytes)).faces[0];
    const s = blurStats.get(sigma) ?? { blur: [], d: [], missed: 0 };
    if (f) {
      s.blur.push(f.blur);
      s.d.push(euclidean(ref, f.embedding));
    } else s.missed++;
    blurStats.set(sigma, s);
  }
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))]?.toFixed(3) ?? '-';
};
const summary = (xs: number[]) =>
  `n=${xs.length} min=${q(xs, 0)} p50=${q(xs, 0.5)} p95=${q(xs, 0.95)} max=${q(xs, 1)}`;
say(`same-person (edited copies) distance: ${summary(same)}`);
say(`different-person distance: ${summary(different)}`);
for (const [eye, s] of sizeDrift) say(`eye ${eye}px: drift ${summary(s.d)} missed=${s.missed}`);
for (const [sigma, s] of blurStats) {
  say(`blur sigma ${sigma}: metric ${summary(s.blur)} drift ${summary(s.d)} missed=${s.missed}`);
}
say(`rss MB: ${Math.round(process.memoryUsage().rss / 1e6)}`);
