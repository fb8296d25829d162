import { euclidean } from './metrics.ts';
import { SAME_PERSON_MAX_DISTANCE } from './thresholds.ts';

export interface SamePersonResult {
  readonly ok: boolean;
  /** Index of the embedding farthest from the others, when some pair is above the threshold. */
  readonly oddOneOut?: number;
  /** Largest pairwise distance. */
  readonly maxDistance: number;
}

/**
 * Are these references one person? Every pair must be within SAME_PERSON_MAX_DISTANCE. When not, the odd
 * one out is the embedding with the largest mean distance to the others (with two, the second: the
 * first photo is taken as the identity the user meant).
 */
export function samePerson(embeddings: readonly (readonly number[])[]): SamePersonResult {
  const n = embeddings.length;
  const meanDistance = new Array<number>(n).fill(0);
  let maxDistance = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = euclidean(embeddings[i] ?? [], embeddings[j] ?? []);
      maxDistance = Math.max(maxDistance, d);
      meanDistance[i] = (meanDistance[i] ?? 0) + d / (n - 1);
      meanDistance[j] = (meanDistance[j] ?? 0) + d / (n - 1);
    }
  }
  if (maxDistance <= SAME_PERSON_MAX_DISTANCE) return { ok: true, maxDistance };
  let odd = n - 1;
  for (let i = n - 1; i >= 0; i--) if ((meanDistance[i] ?? 0) > (meanDistance[odd] ?? 0)) odd = i;
  return { ok: false, oddOneOut: odd, maxDistance };
}
