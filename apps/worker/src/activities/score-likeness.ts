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
 * An entry lives at most EMBEDDING_TTL_MS after it was computed, and is dropped as soon as its photo is no
 * longer in the blob store: an erased photo's template does not outlive it here by more than that bound.
 */
const MAX_CACHED = 512;
const EMBEDDING_TTL_MS = 10 * 60_000;
const embeddings = new Map<string, { embedding: number[] | null; at: number }>();

function dropExpired(now: number): void {
  for (const [sha256, entry] of embeddings) if (now - entry.at > EMBEDDING_TTL_MS) embeddings.delete(sha256);
}

async function referenceEmbedding(
  deps: Pick<ActivityDeps, 'blobs'>,
  sha256: string,
): Promise<number[] | null> {
  dropExpired(Date.now());
  const cached = embeddings.get(sha256);
  embeddings.delete(sha256);
  if (cached !== undefined && (await deps.blobs.has(sha256))) {
    // Most recently used last (Map keeps insertion order): the oldest goes first when full.
    embeddings.set(sha256, cached);
    return cached.embedding;
  }
  // Not cached, or erased meanwhile (deleteReferenceImage, deleteJob, retention): then nothing is kept.
  const bytes = await deps.blobs.get(sha256);
  if (!bytes) return null;
  const check = await checkReference(bytes);
  // Only usable references count: the largest face of a group photo is not necessarily the person.
  const embedding = check.ok && check.embedding ? check.embedding : null;
  embeddings.set(sha256, { embedding, at: Date.now() });
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
