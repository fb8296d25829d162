import { checkReference, likeness, meanEmbedding } from '@photomaker/likeness';
import type { BlobRef, ReferenceImage } from '@photomaker/schema';
import type { ActivityDeps } from './deps.ts';

export interface ScoreLikenessInput {
  jobId: string;
  references: ReferenceImage[];
  /** The stored output image. */
  image: BlobRef;
}

/** null: nothing to compare with (no usable reference face, or the image is gone). */
export type ScoreLikenessResult = { likeness: number; faceFound: boolean } | null;

/**
 * Reference embeddings by content hash, in this process's memory only (face templates are biometric
 * data: never written anywhere). A job's images usually land on the worker that checked its references.
 */
const MAX_CACHED = 512;
const embeddings = new Map<string, number[] | null>();

async function referenceEmbedding(
  deps: Pick<ActivityDeps, 'blobs'>,
  sha256: string,
): Promise<number[] | null> {
  const cached = embeddings.get(sha256);
  if (cached !== undefined) {
    // Most recently used last (Map keeps insertion order): the oldest goes first when full.
    embeddings.delete(sha256);
    embeddings.set(sha256, cached);
    return cached;
  }
  const bytes = await deps.blobs.get(sha256);
  const check = bytes ? await checkReference(bytes) : undefined;
  // Only usable references count: the largest face of a group photo is not necessarily the person.
  const embedding = check?.ok && check.embedding ? check.embedding : null;
  embeddings.set(sha256, embedding);
  if (embeddings.size > MAX_CACHED) embeddings.delete(embeddings.keys().next().value as string);
  return embedding;
}

export function createScoreLikeness(deps: Pick<ActivityDeps, 'blobs'>) {
  /** Likeness of one output image to the mean of the job's usable references (vision task queue). */
  return async function scoreLikeness(input: ScoreLikenessInput): Promise<ScoreLikenessResult> {
    const refs: number[][] = [];
    for (const ref of input.references) {
      if (ref.kind !== 'blob') continue;
      const embedding = await referenceEmbedding(deps, ref.blob.sha256);
      if (embedding) refs.push(embedding);
    }
    if (refs.length === 0) return null;
    const bytes = await deps.blobs.get(input.image.sha256);
    if (!bytes) return null;
    const score = await likeness(bytes, meanEmbedding(refs));
    // Three decimals: enough to sort by, and a stable value in history and events.
    return { likeness: Math.round(score.likeness * 1000) / 1000, faceFound: score.faceFound };
  };
}
