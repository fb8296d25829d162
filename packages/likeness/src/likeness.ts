import { detectFaces } from './detect.ts';
import { euclidean } from './metrics.ts';
import { SAME_PERSON_MAX_DISTANCE } from './thresholds.ts';

export interface LikenessResult {
  readonly faceFound: boolean;
  /** In [0, 1]; 0 when no face. 0.5 is the same-person threshold. */
  readonly likeness: number;
  /** Embedding distance of the best-matching face (absent when no face). */
  readonly distance?: number;
}

/**
 * Maps an embedding distance to [0, 1], linear, so that 0 -> 1 and the same-person threshold -> 0.5:
 * a user reads "above one half" as "the model takes it for the same person".
 */
export function likenessFromDistance(distance: number): number {
  return Math.max(0, Math.min(1, 1 - distance / (2 * SAME_PERSON_MAX_DISTANCE)));
}

/** How much the best-matching face in an output image looks like the references' mean embedding. */
export async function likeness(
  outputBytes: Uint8Array,
  refMeanEmbedding: readonly number[],
): Promise<LikenessResult> {
  const { faces } = await detectFaces(outputBytes);
  if (faces.length === 0) return { faceFound: false, likeness: 0 };
  let best = Number.POSITIVE_INFINITY;
  for (const f of faces) best = Math.min(best, euclidean(f.embedding, refMeanEmbedding));
  return { faceFound: true, likeness: likenessFromDistance(best), distance: best };
}
