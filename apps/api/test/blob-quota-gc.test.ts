import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { type CollectableStore, LocalBlobStore, S3BlobStore } from '@photomaker/blobstore';
import type { RedisClient } from '@photomaker/events';
import { startS3Server } from '@photomaker/harness';
import { createLogger } from '@photomaker/observability';
import type { BlobRef } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobCollector, GC_LOCK_KEY } from '../src/jobs/blob-collector.ts';
import { BlobUsage } from '../src/jobs/blob-usage.ts';
import { ReferenceImageRegistry } from '../src/jobs/reference-images.ts';
import { baseInput, GENERATE, gql, stack, startApi, tenants } from './helpers.ts';
import { asDataUri, pngOf } from './support/bad-images.ts';
import { type RedisBackend, startRedisBackend } from './support/redis-backends.ts';

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

/** A store of the collector's own, and how to make a blob look stored `daysAgo` days ago. */
interface GcStore {
  store: CollectableStore;
  storedDaysAgo(bytes: Buffer, daysAgo: number): Promise<BlobRef>;
  close(): Promise<void>;
}

async function localGcStore(): Promise<GcStore> {
  const dir = await mkdtemp(join(tmpdir(), 'api-gc-'));
  const store = new LocalBlobStore(dir);
  return {
    store,
    async storedDaysAgo(bytes, daysAgo) {
      const ref = await store.put(bytes, 'image/png');
      const then = new Date(Date.now() - daysAgo * DAY);
      await utimes(join(dir, ref.sha256.slice(0, 2), ref.sha256), then, then);
      return ref;
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The same collection on S3 (versitygw): listing pages of two keys, so the collector pages through. */
async function s3GcStore(): Promise<GcStore> {
  const server = await startS3Server({ buckets: ['api-gc'] });
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  let clock = Date.now();
  const store = new S3BlobStore({
    client,
    bucket: 'api-gc',
    prefix: 'api/',
    pageSize: 2,
    clock: () => clock,
  });
  return {
    store,
    async storedDaysAgo(bytes, daysAgo) {
      clock = Date.now() - daysAgo * DAY;
      const ref = await store.put(bytes, 'image/png').finally(() => {
        clock = Date.now();
      });
      const then = new Date(Date.now() - daysAgo * DAY);
      await utimes(join(server.dir, 'api-gc', store.keyOf(ref.sha256)), then, then);
      return ref;
    },
    async close() {
      client.destroy();
      await server.stop();
    },
  };
}

// Every store on one Redis node; the local store on a Redis Cluster as well.
describe.each([
  ['a local directory', 'single node', localGcStore],
  ['a local directory', 'cluster', localGcStore],
  ['S3', 'single node', s3GcStore],
] as const)('blob garbage collection (a store of its own: %s; a real Redis %s)', (_name, kind, makeStore) => {
  let backend: RedisBackend;
  let redis: RedisClient;
  let gc: GcStore;
  let store: CollectableStore;
  const storedDaysAgo = (bytes: Buffer, daysAgo: number) => gc.storedDaysAgo(bytes, daysAgo);

  beforeAll(async () => {
    backend = await startRedisBackend(kind, 'blob-gc-test');
    redis = backend.client;
    gc = await makeStore();
    store = gc.store;
  });
  afterAll(async () => {
    await backend.stop();
    await gc?.close();
  });

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
