import { createHash, randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { BlobRef } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectableStore, collectGarbage } from '../src/index.ts';

/** One store under test, and how to make a blob look as if it was last stored at `whenMs`. */
export interface ContractFixture {
  store: CollectableStore;
  putStoredAt(bytes: Uint8Array, mediaType: string, whenMs: number): Promise<BlobRef>;
  close(): Promise<void>;
}

const DAY = 24 * 3600 * 1000;
const MIB = 1024 * 1024;
const text = (value: string) => new TextEncoder().encode(value);
const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function listAll(store: CollectableStore) {
  const listed = [];
  for await (const blob of store.list()) listed.push(blob);
  return listed;
}

/**
 * What every BlobStore (and the collector's view of it) promises, run against each implementation: the
 * local directory and S3 (versitygw) must behave the same to the API and the worker.
 */
export function blobStoreContract(name: string, setup: () => Promise<ContractFixture>): void {
  describe(`${name}: the BlobStore contract`, () => {
    let fixture: ContractFixture;
    let store: CollectableStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    }, 60_000);
    afterAll(() => fixture?.close());

    it('stores by sha256 and reads back bytes, metadata and a stream', async () => {
      const bytes = text('contract round trip');
      const ref = await store.put(bytes, 'image/png');
      expect(ref).toEqual({ sha256: sha256Of(bytes), mediaType: 'image/png', size: bytes.byteLength });
      expect(await store.get(ref.sha256)).toEqual(bytes);
      expect(await store.stat(ref.sha256)).toEqual(ref);
      expect(await store.has(ref.sha256)).toBe(true);
      const streamed = await store.stream(ref.sha256);
      expect(streamed?.ref).toEqual(ref);
      expect(streamed && new Uint8Array(await buffer(streamed.body))).toEqual(bytes);
    });

    it('is idempotent: the same bytes stored many times at once are one blob', async () => {
      const bytes = text('contract same bytes');
      const refs = await Promise.all(Array.from({ length: 8 }, () => store.put(bytes, 'image/jpeg')));
      expect(new Set(refs.map((ref) => ref.sha256))).toEqual(new Set([sha256Of(bytes)]));
      expect((await listAll(store)).filter((blob) => blob.sha256 === sha256Of(bytes))).toHaveLength(1);
      expect(await store.get(sha256Of(bytes))).toEqual(bytes);
    });

    it('answers undefined for a missing blob (never throws), and deletes', async () => {
      const unknown = 'e'.repeat(64);
      expect(await store.get(unknown)).toBeUndefined();
      expect(await store.stat(unknown)).toBeUndefined();
      expect(await store.stream(unknown)).toBeUndefined();
      expect(await store.has(unknown)).toBe(false);
      await store.delete(unknown);
      const ref = await store.put(text('contract deleted'), 'image/png');
      await store.delete(ref.sha256);
      expect(await store.has(ref.sha256)).toBe(false);
      expect(await store.stream(ref.sha256)).toBeUndefined();
    });

    it('refuses anything that is not a sha256 (no key escapes the store)', async () => {
      await expect(store.get('../../etc/passwd')).rejects.toThrow('not a sha256');
      await expect(store.stream('AB'.repeat(32))).rejects.toThrow('not a sha256');
    });

    it('lists every blob with its size and when it was stored', async () => {
      const ref = await store.put(text('contract listed'), 'image/webp');
      const listed = (await listAll(store)).find((blob) => blob.sha256 === ref.sha256);
      expect(listed).toEqual({ sha256: ref.sha256, size: ref.size, storedAt: expect.any(Number) });
      expect(Math.abs(Date.now() - (listed?.storedAt ?? 0))).toBeLessThan(60_000);
    });

    it('deleteIfStoredBefore keeps a blob stored after the cutoff, deletes an older one, and a put renews', async () => {
      const cutoff = Date.now() - 5 * DAY;
      const fresh = await fixture.putStoredAt(text('contract fresh'), 'image/png', Date.now() - DAY);
      const old = await fixture.putStoredAt(text('contract old'), 'image/png', Date.now() - 10 * DAY);
      const renewed = await fixture.putStoredAt(text('contract renewed'), 'image/png', Date.now() - 10 * DAY);
      await store.put(text('contract renewed'), 'image/png');
      expect(await store.deleteIfStoredBefore(fresh.sha256, cutoff)).toBe(false);
      expect(await store.deleteIfStoredBefore(renewed.sha256, cutoff)).toBe(false);
      expect(await store.deleteIfStoredBefore(old.sha256, cutoff)).toBe(true);
      expect(await store.has(fresh.sha256)).toBe(true);
      expect(await store.has(renewed.sha256)).toBe(true);
      expect(await store.has(old.sha256)).toBe(false);
      expect(await store.deleteIfStoredBefore(old.sha256, cutoff)).toBe(false);
    });

    it('collectGarbage deletes old unreferenced blobs only and spares one stored again during the run', async () => {
      const long = Date.now() - 30 * DAY;
      const kept = await fixture.putStoredAt(text('gc referenced and old'), 'image/png', long);
      const gone = await fixture.putStoredAt(text('gc unreferenced and old'), 'image/png', long);
      const again = await fixture.putStoredAt(text('gc stored again'), 'image/png', long);
      const recent = await fixture.putStoredAt(text('gc recent'), 'image/png', Date.now() - 2 * DAY);
      const asked: string[] = [];
      const report = await collectGarbage(store, {
        graceMs: 8 * DAY,
        batchSize: 2,
        referenced: async (shas) => {
          asked.push(...shas);
          if (shas.includes(again.sha256)) await store.put(text('gc stored again'), 'image/png');
          return new Set(shas.filter((sha) => sha === kept.sha256));
        },
      });
      expect(await store.has(kept.sha256)).toBe(true);
      expect(await store.has(recent.sha256)).toBe(true);
      expect(await store.has(again.sha256)).toBe(true);
      expect(await store.has(gone.sha256)).toBe(false);
      expect(asked).not.toContain(recent.sha256);
      expect(report.deleted).toBeGreaterThanOrEqual(1);
      expect(report.freedBytes).toBeGreaterThanOrEqual(gone.size);
    });

    it('streams a large blob: the body arrives as it is read, never held whole', async () => {
      let large: Uint8Array | undefined = randomBytes(64 * MIB);
      const expected = sha256Of(large);
      const before = process.memoryUsage().arrayBuffers;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }, 2);
      const ref = await store.put(large, 'image/png');
      clearInterval(sampler);
      large = undefined;
      expect(ref.sha256).toBe(expected);
      // No second copy of the image while it uploads (parts are views of the caller's bytes).
      expect(peak - before).toBeLessThan(40 * MIB);

      const baseline = process.memoryUsage().arrayBuffers;
      const streamed = await store.stream(ref.sha256);
      if (!streamed) throw new Error('large blob missing');
      const reader = streamed.body[Symbol.asyncIterator]();
      const first = await reader.next();
      expect(first.done).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Had the store read the object whole, 64 MiB would be held by now.
      expect(process.memoryUsage().arrayBuffers - baseline).toBeLessThan(24 * MIB);
      expect(streamed.body.readableLength).toBeLessThan(8 * MIB);
      const hash = createHash('sha256').update(first.value as Buffer);
      let size = (first.value as Buffer).byteLength;
      for (let next = await reader.next(); !next.done; next = await reader.next()) {
        hash.update(next.value as Buffer);
        size += (next.value as Buffer).byteLength;
      }
      expect({ size, sha256: hash.digest('hex') }).toEqual({ size: 64 * MIB, sha256: expected });
      await store.delete(ref.sha256);
    }, 60_000);
  });
}
