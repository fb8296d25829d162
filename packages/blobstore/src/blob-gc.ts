import type { StoredBlob } from './blob-store.ts';

/** What collection needs of a store: LocalBlobStore has both. */
export interface CollectableBlobStore {
  list(): AsyncIterable<StoredBlob>;
  deleteIfStoredBefore(sha256: string, cutoffMs: number): Promise<boolean>;
}

export interface CollectOptions {
  /** A blob last stored less than this long ago is kept, referenced or not. */
  graceMs: number;
  /** Of these digests, the ones something still references (asked in batches). */
  referenced(sha256s: readonly string[]): Promise<ReadonlySet<string>>;
  now?: number;
  batchSize?: number;
}

export interface CollectReport {
  scanned: number;
  deleted: number;
  freedBytes: number;
}

/**
 * Deletes the blobs that are past their grace period and that nothing references. The store only knows
 * bytes; what references them (reference images, job inputs) is the caller's `referenced`. Deletion is
 * conditional on the blob still being old (deleteIfStoredBefore), so a blob stored again during a run
 * survives it.
 */
export async function collectGarbage(
  store: CollectableBlobStore,
  options: CollectOptions,
): Promise<CollectReport> {
  const cutoff = (options.now ?? Date.now()) - options.graceMs;
  const batchSize = options.batchSize ?? 500;
  const report: CollectReport = { scanned: 0, deleted: 0, freedBytes: 0 };
  let batch: StoredBlob[] = [];
  const sweep = async () => {
    const kept = await options.referenced(batch.map((blob) => blob.sha256));
    for (const blob of batch) {
      if (kept.has(blob.sha256) || !(await store.deleteIfStoredBefore(blob.sha256, cutoff))) continue;
      report.deleted += 1;
      report.freedBytes += blob.size;
    }
    batch = [];
  };
  for await (const blob of store.list()) {
    report.scanned += 1;
    if (blob.storedAt >= cutoff) continue;
    batch.push(blob);
    if (batch.length >= batchSize) await sweep();
  }
  if (batch.length > 0) await sweep();
  return report;
}
