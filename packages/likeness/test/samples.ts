import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { detectFaces, type FaceBox } from '../src/index.ts';

// The group photos shipped in @vladmandic/face-api's demo/ (3-5 faces each): the only real faces on
// this machine, used for tests and for calibrating the thresholds.
const require = createRequire(import.meta.url);
const demoDir = `${path.dirname(require.resolve('@vladmandic/face-api/package.json'))}/demo`;

export const SAMPLE_NUMBERS = [1, 2, 3, 4, 5, 6] as const;

export function samplePhoto(n: number): Promise<Buffer> {
  return readFile(`${demoDir}/sample${n}.jpg`);
}

export interface FaceCrop {
  readonly id: string;
  /** JPEG of one face with a margin, as a user's portrait reference would be. */
  readonly bytes: Buffer;
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

/**
 * One crop per face in the sample photos that contains exactly one detectable face (a tight group
 * photo's wider crop can catch a neighbour; those margins shrink until only one face remains).
 */
export async function sampleFaceCrops(): Promise<FaceCrop[]> {
  const out: FaceCrop[] = [];
  for (const n of SAMPLE_NUMBERS) {
    const photo = await samplePhoto(n);
    const { faces } = await detectFaces(photo);
    const ordered = [...faces].sort((a, b) => a.box.x - b.box.x);
    for (const [i, face] of ordered.entries()) {
      for (const margin of [0.5, 0.3, 0.15]) {
        const bytes = await cropAround(photo, face.box, margin);
        if ((await detectFaces(bytes)).faces.length === 1) {
          out.push({ id: `s${n}f${i}`, bytes });
          break;
        }
      }
    }
  }
  return out;
}
