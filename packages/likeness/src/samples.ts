import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import type { FaceBox } from './detect.ts';

// The group photos shipped in @vladmandic/face-api's demo/ (3-5 faces each): real faces for tests (here
// and in the apps) and for calibrating the thresholds. Not used at run time.
const require = createRequire(import.meta.url);
const demoDir = `${path.dirname(require.resolve('@vladmandic/face-api/package.json'))}/demo`;

export const SAMPLE_NUMBERS = [1, 2, 3, 4, 5, 6] as const;

export function samplePhoto(n: number): Promise<Buffer> {
  return readFile(`${demoDir}/sample${n}.jpg`);
}

/** Square crop around a face box: `margin` box-sizes of context on each side, clipped to the photo. */
export async function cropAround(photo: Buffer, box: FaceBox, margin: number): Promise<Buffer> {
  const meta = await sharp(photo).metadata();
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  const width = Math.min(meta.width - left, Math.round(side));
  const height = Math.min(meta.height - top, Math.round(side));
  return sharp(photo).extract({ left, top, width, height }).jpeg({ quality: 92 }).toBuffer();
}

/** Two different women in sample6.jpg, boxes as the detector finds them (original pixels). */
export const SAMPLE6_FACES = {
  left: { x: 250, y: 468, width: 210, height: 291 },
  third: { x: 1180, y: 305, width: 188, height: 280 },
} as const;

/** A portrait-style reference cut from sample6.jpg: one sharp frontal face. */
export async function sampleFace(which: keyof typeof SAMPLE6_FACES, margin = 0.3): Promise<Buffer> {
  return cropAround(await samplePhoto(6), SAMPLE6_FACES[which], margin);
}
