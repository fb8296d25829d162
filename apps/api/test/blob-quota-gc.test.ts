import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '@photomaker/blobstore';
import type { RedisClient } from '@photomaker/events';
import { createLogger } from '@photomaker/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobCollector, GC_LOCK_KEY } from '../src/jobs/blob-collector.ts';
import { BlobUsage } from '../src/jobs/blob-usage.ts';
import { ReferenceImageRegistry } from '../src/jobs/reference-images.ts';
import { baseInput, GENERATE, gql, stack, startApi, tenants } from './helpers.ts';
import { asDataUri, pngOf } from './support/bad-images.ts';
import { REDIS_BACKENDS, type RedisBackend, startRedisBackend } from './support/redis-backends.ts';

const UPLOAD = 'mutation($image: String!) { uploadReferenceImage(image: $image) { id sha256 size } }';
const DAY = 24 * 3600 * 1000;

describe('per-tenant blob quota, over HTTP', () => {
  const who = tenants('quota', 'roomy');
  let api: Awaited<ReturnType<typeof startApi>>;
  let images: Buffer[];

  beforeAll(async () => {
    images = await Promise.all([pngOf(12, 12), pngOf(13, 13), pngOf(14, 14)]);
    const [a, b] = images as [Buffer, Buffer];
    // Room for the first two images, not for a third.
    api = await startApi(who, { PHOTOMAKER_TENANT_BLOB_QUOTA_BYTES: String(a.length + b.length + 10) });
  });
  afterAll(() => api?.server.close());

  it('counts each tenant’s distinct bytes and refuses the image that would pass the quota, storing nothing', async () => {
    const [a, b, c] = images as [Buffer, Buffer, Buffer];
    for (const image of [a, a, b]) {
      const stored = await gql(api.url, who.quota.key, UPLOAD, { image: asDataUri(image) });
      expect(stored.errors).toBeUndefined();
    }
    const refused = await gql<{ generatePhotoMaker: unknown }>(api.url, who.quota.key, GENERATE, {
      input: baseInput({ inputImages: [asDataUri(a), asDataUri(c)] }),
    });
    expect(refused.data?.generatePhotoMaker ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      runwareCode: 'invalidInputImages',
      path: ['input', 'inputImages', 1],
    });
    expect(refused.errors?.[0]?.message).toMatch(/inputImages\[1\] would pass your image storage quota of/);
    const store = new LocalBlobStore(stack().blobDir);
    expect(await store.has(createHash('sha256').update(c).digest('hex'))).toBe(false);
    // Another tenant has its own quota.
    const other = await gql(api.url, who.roomy.key, UPLOAD, { image: asDataUri(c) });
    expect(other.errors).toBeUndefined();
  });
});

describe.each(REDIS_BACKENDS)('blob garbage collection (a real Redis %s, a store of its own)', (kind) => {
  let backend: RedisBackend;
  let redis: RedisClient;
  let dir: string;
  let store: LocalBlobStore;

  beforeAll(async () => {
    backend = await startRedisBackend(kind, 'blob-gc-test');
    redis = backend.client;
    dir = await mkdtemp(join(tmpdir(), 'api-gc-'));
    store = new LocalBlobStore(dir);
  });
  afterAll(async () => {
    await backend.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function storedDaysAgo(bytes: Buffer, daysAgo: number) {
    const ref = await store.put(bytes, 'image/png');
    const then = new Date(Date.now() - daysAgo * DAY);
    await utimes(join(dir, ref.sha256.slice(0, 2), ref.sha256), then, then);
    return ref;
  }

  it('deletes old blobs no job input or reference image uses; one replica per interval', async () => {
    const [used, referenced, unused, recent] = await Promise.all([
      pngOf(20, 20),
      pngOf(21, 21),
      pngOf(22, 22),
      pngOf(23, 23),
    ]);
    const usage = new BlobUsage(redis, { quotaBytes: 0 });
    const registry = new ReferenceImageRegistry(redis);
    const usedRef = await storedDaysAgo(used as Buffer, 30);
    expect((await usage.use(`gc-${usedRef.sha256.slice(0, 8)}`, usedRef, 2 * DAY)).ok).toBe(true);
    const referencedRef = await storedDaysAgo(referenced as Buffer, 30);
    await registry.register(`gc-${referencedRef.sha256.slice(0, 8)}`, referencedRef);
    const unusedRef = await storedDaysAgo(unused as Buffer, 30);
    const recentRef = await storedDaysAgo(recent as Buffer, 1);

    await redis.del(GC_LOCK_KEY);
    const collector = () =>
      new BlobCollector({
        redis,
        store,
        usage,
        references: registry,
        graceMs: 8 * DAY,
        intervalMs: 60_000,
        logger: createLogger({ service: 'gc-test', level: 'warn' }),
      });
    const report = await collector().runOnce();
    expect(report).toMatchObject({ scanned: 4, deleted: 1, freedBytes: unusedRef.size });
    expect(await store.has(unusedRef.sha256)).toBe(false);
    for (const kept of [usedRef, referencedRef, recentRef]) expect(await store.has(kept.sha256)).toBe(true);
    // Another replica in the same interval does nothing.
    expect(await collector().runOnce()).toBeUndefined();
    await redis.del(GC_LOCK_KEY);
  });
});
