import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectGarbage, LocalBlobStore } from '../src/index.ts';

let dir: string;
let store: LocalBlobStore;
const DAY = 24 * 3600 * 1000;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blobs-gc-'));
  store = new LocalBlobStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Stores bytes as if last stored `daysAgo` days ago. */
async function storedDaysAgo(text: string, daysAgo: number) {
  const ref = await store.put(new TextEncoder().encode(text), 'image/png');
  const then = new Date(Date.now() - daysAgo * DAY);
  await utimes(join(dir, ref.sha256.slice(0, 2), ref.sha256), then, then);
  return ref;
}

describe('LocalBlobStore for collection', () => {
  it('lists every blob with its size and last store time; a put of the same bytes renews it', async () => {
    const old = await storedDaysAgo('old bytes', 10);
    const listed = [];
    for await (const blob of store.list()) listed.push(blob);
    expect(listed).toEqual([{ sha256: old.sha256, size: old.size, storedAt: expect.any(Number) }]);
    expect(Date.now() - (listed[0]?.storedAt ?? 0)).toBeGreaterThan(9 * DAY);
    await store.put(new TextEncoder().encode('old bytes'), 'image/png');
    for await (const blob of store.list()) expect(Date.now() - blob.storedAt).toBeLessThan(60_000);
  });

  it('deleteIfStoredBefore keeps a blob stored after the cutoff and deletes an older one', async () => {
    const fresh = await storedDaysAgo('fresh', 1);
    const old = await storedDaysAgo('old', 10);
    const cutoff = Date.now() - 5 * DAY;
    expect(await store.deleteIfStoredBefore(fresh.sha256, cutoff)).toBe(false);
    expect(await store.deleteIfStoredBefore(old.sha256, cutoff)).toBe(true);
    expect(await store.has(fresh.sha256)).toBe(true);
    expect(await store.has(old.sha256)).toBe(false);
    expect(await store.deleteIfStoredBefore(old.sha256, cutoff)).toBe(false);
  });

  it('a blob whose sidecar is gone still answers, its media type read from its bytes', async () => {
    const ref = await store.put(PNG, 'image/png');
    await rm(join(dir, ref.sha256.slice(0, 2), `${ref.sha256}.json`));
    expect(await store.stat(ref.sha256)).toEqual(ref);
  });
});

describe('collectGarbage', () => {
  it('deletes old unreferenced blobs only, and reports what it freed', async () => {
    const kept = await storedDaysAgo('referenced and old', 30);
    const gone = await storedDaysAgo('unreferenced and old', 30);
    const recent = await storedDaysAgo('unreferenced but recent', 2);
    const asked: string[] = [];
    const report = await collectGarbage(store, {
      graceMs: 8 * DAY,
      referenced: async (shas) => {
        asked.push(...shas);
        return new Set(shas.filter((sha) => sha === kept.sha256));
      },
      batchSize: 1,
    });
    expect(report).toEqual({ scanned: 3, deleted: 1, freedBytes: gone.size });
    expect(await store.has(kept.sha256)).toBe(true);
    expect(await store.has(recent.sha256)).toBe(true);
    expect(await store.has(gone.sha256)).toBe(false);
    // Recent blobs are not even looked up.
    expect(asked.sort()).toEqual([kept.sha256, gone.sha256].sort());
  });

  it('spares a blob stored again while the run was deciding', async () => {
    const ref = await storedDaysAgo('renewed during the run', 30);
    const report = await collectGarbage(store, {
      graceMs: 8 * DAY,
      referenced: async () => {
        await store.put(new TextEncoder().encode('renewed during the run'), 'image/png');
        return new Set();
      },
    });
    expect(report.deleted).toBe(0);
    expect(await store.get(ref.sha256)).toEqual(new TextEncoder().encode('renewed during the run'));
  });

  it('copes with a store directory that does not exist yet', async () => {
    const empty = new LocalBlobStore(join(dir, 'never-created'));
    expect(await collectGarbage(empty, { graceMs: DAY, referenced: async () => new Set() })).toEqual({
      scanned: 0,
      deleted: 0,
      freedBytes: 0,
    });
  });
});
