import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { type BlobStore, LocalBlobStore, S3BlobStore } from '@photomaker/blobstore';
import { connectRedis, type RedisClient } from '@photomaker/events';
import { type RunningRedis, startRedis, startS3Server } from '@photomaker/harness';
import { describeScan, needlesOf, scanForErasure } from '@photomaker/harness/erasure-scan';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceImageKey, runwareUploadKey, tenantBlobsKey, tenantBytesKey } from '../src/blob-keys.ts';
import { JobEraser } from '../src/job-eraser.ts';

interface Store {
  store: BlobStore;
  /** Every object, as the erasure scan reads it. */
  source: Parameters<typeof scanForErasure>[0]['blobs'];
  close(): Promise<void>;
}

async function localStore(): Promise<Store> {
  const dir = await mkdtemp(join(tmpdir(), 'retention-blobs-'));
  return {
    store: new LocalBlobStore(dir),
    source: { kind: 'dir', dir },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

async function s3Store(): Promise<Store> {
  const server = await startS3Server({ buckets: ['erasure'] });
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  const store = new S3BlobStore({ client, bucket: 'erasure', prefix: 'blobs/' });
  return {
    store,
    source: {
      kind: 'objects',
      // Every object of the bucket through the S3 API, whatever its key.
      async *objects() {
        for await (const blob of store.list()) {
          yield { key: store.keyOf(blob.sha256), body: (await store.get(blob.sha256)) ?? new Uint8Array() };
        }
      },
    },
    async close() {
      client.destroy();
      await server.stop();
    },
  };
}

const blobOf = async (store: BlobStore) => {
  const bytes = randomBytes(512);
  const ref = await store.put(bytes, 'image/png');
  expect(ref.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  return { bytes, ref };
};

describe.each([
  ['a local directory', localStore],
  ['S3 (versitygw)', s3Store],
] as const)('blob holds and erasure on a real Redis and %s', (_name, makeStore) => {
  let redisServer: RunningRedis;
  let redis: RedisClient;
  let blobs: Store;
  let eraser: JobEraser;

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = connectRedis({ url: redisServer.url });
    blobs = await makeStore();
    // Only blobs and Redis here: a lazy client that is never asked anything.
    eraser = new JobEraser({ redis, blobs: blobs.store, temporal: new Client() });
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.stop();
    await blobs?.close();
  });

  it('keeps a photo while another job or tenant holds it; the last release erases every trace', async () => {
    const { bytes, ref } = await blobOf(blobs.store);
    const later = Date.now() + 3_600_000;
    await eraser.holds.hold('alice', 'job:1', [ref], later);
    await eraser.holds.hold('alice', 'job:2', [ref], later);
    await eraser.holds.hold('bob', 'ref:b1', [ref], later);
    // What the API's blob usage and the worker's upload cache write for these bytes.
    for (const tenant of ['alice', 'bob']) {
      await redis.zadd(tenantBlobsKey(tenant, 'single'), later, `${ref.sha256}:${ref.size}`);
      await redis.set(tenantBytesKey(tenant, 'single'), ref.size);
    }
    await redis.set(runwareUploadKey(ref.sha256), 'runware-uuid');

    expect((await eraser.releaseBlob(ref, { tenant: 'alice', holder: 'job:1' })).freed).toBe(false);
    expect(await redis.zscore(tenantBlobsKey('alice', 'single'), `${ref.sha256}:${ref.size}`)).not.toBeNull();
    expect((await eraser.releaseBlob(ref, { tenant: 'alice', holder: 'job:2' })).freed).toBe(false);
    // Alice holds it no more: her quota stops counting it; Bob's still does, and the bytes stay.
    expect(await redis.zscore(tenantBlobsKey('alice', 'single'), `${ref.sha256}:${ref.size}`)).toBeNull();
    expect(await redis.get(tenantBytesKey('alice', 'single'))).toBe('0');
    expect(await blobs.store.has(ref.sha256)).toBe(true);

    const last = await eraser.releaseBlob(ref, { tenant: 'bob', holder: 'ref:b1' });
    expect(last).toEqual({ freed: true, runwareUploads: 1 });
    expect(await blobs.store.has(ref.sha256)).toBe(false);
    // Released again (a retried erasure): nothing left, nothing breaks.
    expect((await eraser.releaseBlob(ref, { tenant: 'bob', holder: 'ref:b1' })).runwareUploads).toBe(0);

    const report = await scanForErasure(
      { blobs: blobs.source, redis, logFiles: [] },
      needlesOf('photo', bytes),
    );
    expect(report.hits, describeScan(report)).toEqual([]);
  });

  it('a lapsed hold is swept: its reference image id and its bytes go', async () => {
    const { ref } = await blobOf(blobs.store);
    await eraser.holds.hold('carol', 'ref:c1', [ref], Date.now() - 1);
    await redis.set(referenceImageKey('carol', 'c1'), JSON.stringify({ id: 'c1', blob: ref }));
    const due = await eraser.holds.lapsed(Date.now(), 100);
    expect(due).toContainEqual({ sha256: ref.sha256, size: ref.size });
    expect((await eraser.releaseBlob(ref)).freed).toBe(true);
    expect(await redis.exists(referenceImageKey('carol', 'c1'))).toBe(0);
    expect(await blobs.store.has(ref.sha256)).toBe(false);
    expect(await eraser.holds.lapsed(Date.now(), 100)).not.toContainEqual({
      sha256: ref.sha256,
      size: ref.size,
    });
  });
});
