import { detectFaces } from '../src/index.ts';
import { cropAround, SAMPLE_NUMBERS, samplePhoto } from '../src/samples.ts';

export interface FaceCrop {
  readonly id: string;
  /** JPEG of one face with a margin, as a user's portrait reference would be. */
  readonly bytes: Buffer;
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
