import { deleteMany, getMany } from '@photomaker/events';
import { derivedUuid } from '@photomaker/runware';
import type { ReferenceImage } from '@photomaker/schema';
import { timeRunware } from '../metrics.ts';
import type { ActivityDeps } from './deps.ts';
import { permanentFailure } from './failures.ts';

/** Redis key: reference bytes (by sha256) -> the Runware imageUUID they were uploaded as. */
const referenceCacheKey = (sha256: string) => `photomaker:runware:image:${sha256}`;

export interface EnsuredReferences {
  /** What goes into `inputImages`: Runware imageUUIDs, in the job's order. */
  imageUUIDs: string[];
  /** Cache keys whose UUIDs came from the cache (dropped if Runware no longer knows them). */
  cachedKeys: string[];
}

/**
 * Makes every reference image available on Runware: a known imageUUID as is, blob references uploaded
 * once per content hash (cached in Redis below Runware's 30-day retention). The bytes go from the blob
 * store straight into the upload request and nowhere else.
 */
export async function ensureReferences(
  deps: ActivityDeps,
  references: readonly ReferenceImage[],
  runTaskUUID: string,
  signal: AbortSignal,
  /** Called once, before the first upload, with how many references need uploading. */
  onUploading: (count: number) => Promise<unknown>,
): Promise<EnsuredReferences> {
  const blobKeys = references.map((ref) =>
    ref.kind === 'blob' ? referenceCacheKey(ref.blob.sha256) : undefined,
  );
  const wanted = blobKeys.filter((key): key is string => key !== undefined);
  const cached = await getMany(deps.redis, wanted);
  const cacheHits = new Map<string, string>();
  wanted.forEach((key, i) => {
    const hit = cached[i];
    if (hit) cacheHits.set(key, hit);
  });
  const uploads = references.filter(
    (ref) => ref.kind === 'blob' && !cacheHits.has(referenceCacheKey(ref.blob.sha256)),
  ).length;
  if (uploads > 0) await onUploading(uploads);
  const imageUUIDs = await Promise.all(
    references.map(async (ref, index) => {
      if (ref.kind === 'runware') return ref.imageUUID;
      const key = referenceCacheKey(ref.blob.sha256);
      const hit = cacheHits.get(key);
      if (hit) {
        deps.metrics.referenceImages.inc({ source: 'cache' });
        return hit;
      }
      const bytes = await deps.blobs.get(ref.blob.sha256);
      if (!bytes) {
        throw permanentFailure(
          'referenceImageMissing',
          `Reference image inputImages[${index}] (sha256 ${ref.blob.sha256}) is not in the blob store.`,
          'inputImages',
        );
      }
      const image = `data:${ref.blob.mediaType};base64,${Buffer.from(bytes).toString('base64')}`;
      const uploaded = await timeRunware(deps.metrics, 'imageUpload', () =>
        deps.runware.imageUpload(
          { image, taskUUID: derivedUuid(runTaskUUID, `reference:${index}:${ref.blob.sha256}`) },
          { signal, retry: false },
        ),
      );
      await deps.redis.set(key, uploaded.imageUUID, 'EX', deps.settings.referenceCacheTtlSeconds);
      deps.metrics.referenceImages.inc({ source: 'upload' });
      return uploaded.imageUUID;
    }),
  );
  return { imageUUIDs, cachedKeys: [...cacheHits.keys()] };
}

/** Runware forgot an image we cached (its retention, an emulator restart): upload again next time. */
export async function forgetReferences(deps: ActivityDeps, keys: readonly string[]): Promise<void> {
  await deleteMany(deps.redis, keys);
}
