import { stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type RunningS3Server, startS3Server } from '@photomaker/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobStoreFromEnv, S3BlobStore, S3BlobStoreError } from '../src/index.ts';
import { blobStoreContract } from './blob-store-contract.ts';

const BUCKET = 'blobs';
let server: RunningS3Server;
let client: S3Client;
/** ListObjectsV2 and CopyObject calls made by `client`, to see pagination and renewals happen. */
let listCalls = 0;
let copyCalls = 0;

beforeAll(async () => {
  server = await startS3Server({ buckets: [BUCKET] });
  client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'ListObjectsV2Command') listCalls += 1;
      if (context.commandName === 'CopyObjectCommand') copyCalls += 1;
      return next(args);
    },
    { step: 'initialize' },
  );
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

const text = (value: string) => new TextEncoder().encode(value);

blobStoreContract('S3BlobStore on versitygw', async () => {
  let clock = Date.now();
  const store = new S3BlobStore({ client, bucket: BUCKET, prefix: 'contract/', clock: () => clock });
  return {
    store,
    async putStoredAt(bytes, mediaType, whenMs) {
      clock = whenMs;
      const ref = await store.put(bytes, mediaType).finally(() => {
        clock = Date.now();
      });
      // versitygw's Last-Modified is the file's time: set it as S3 would have at that put.
      const when = new Date(whenMs);
      await utimes(join(server.dir, BUCKET, store.keyOf(ref.sha256)), when, when);
      return ref;
    },
    close: async () => undefined,
  };
});

describe('S3BlobStore', () => {
  it('keeps the local layout as keys: <prefix><aa>/<sha256>, files private to the server user', async () => {
    const store = new S3BlobStore({ client, bucket: BUCKET, prefix: 'layout/' });
    const ref = await store.put(text('layout'), 'image/png');
    expect(store.keyOf(ref.sha256)).toBe(`layout/${ref.sha256.slice(0, 2)}/${ref.sha256}`);
    const file = join(server.dir, BUCKET, store.keyOf(ref.sha256));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('renews a blob stored again at most once an hour (no copy per job of a reused photo)', async () => {
    let clock = Date.now();
    const store = new S3BlobStore({ client, bucket: BUCKET, prefix: 'renewal/', clock: () => clock });
    const ref = await store.put(text('reused photo'), 'image/jpeg');
    copyCalls = 0;
    await store.put(text('reused photo'), 'image/jpeg');
    expect(copyCalls).toBe(0);
    clock += 2 * 3_600_000;
    await store.put(text('reused photo'), 'image/jpeg');
    expect(copyCalls).toBe(1);
    expect(await store.deleteIfStoredBefore(ref.sha256, clock - 60_000)).toBe(false);
    expect(await store.stat(ref.sha256)).toEqual(ref);
  });

  it('lists in bounded pages, and only its own prefix', async () => {
    const store = new S3BlobStore({ client, bucket: BUCKET, prefix: 'paged/', pageSize: 2 });
    const refs = await Promise.all([1, 2, 3, 4, 5].map((n) => store.put(text(`paged ${n}`), 'image/png')));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'paged/not-a-blob', Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'pagedother/ab/x', Body: 'x' }));
    listCalls = 0;
    const listed = [];
    for await (const blob of store.list()) listed.push(blob.sha256);
    expect(listed.sort()).toEqual(refs.map((ref) => ref.sha256).sort());
    expect(listCalls).toBeGreaterThanOrEqual(3);
  });

  it('hands out presigned GETs that serve the bytes until they expire', async () => {
    const store = new S3BlobStore({ client, bucket: BUCKET, prefix: 'presigned/' });
    const ref = await store.put(text('presigned bytes'), 'image/webp');
    const response = await fetch(await store.presignedUrl(ref.sha256, { ttlSeconds: 300 }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(await response.text()).toBe('presigned bytes');
    const past = Math.floor(Date.now() / 1000) - 600;
    const expired = await fetch(await store.presignedUrl(ref.sha256, { ttlSeconds: 60, now: past }));
    expect(expired.status).toBe(403);
  });

  it('a missing bucket is a clear error naming the bucket, not a missing blob', async () => {
    const store = new S3BlobStore({ client, bucket: 'no-such-bucket', prefix: '' });
    const failure = store.put(text('nowhere'), 'image/png');
    await expect(failure).rejects.toBeInstanceOf(S3BlobStoreError);
    await expect(failure).rejects.toThrow(/s3:\/\/no-such-bucket\/.*NoSuchBucket/);
    await expect(store.get('a'.repeat(64))).rejects.toThrow(/NoSuchBucket/);
  });

  it('is what PHOTOMAKER_BLOB_STORE=s3://… selects, configured by the standard AWS_* variables', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, server.env);
    try {
      const store = blobStoreFromEnv({
        PHOTOMAKER_BLOB_STORE: `s3://${BUCKET}/from-env`,
        PHOTOMAKER_S3_FORCE_PATH_STYLE: 'true',
      });
      expect(store).toBeInstanceOf(S3BlobStore);
      expect({ bucket: (store as S3BlobStore).bucket, prefix: (store as S3BlobStore).prefix }).toEqual({
        bucket: BUCKET,
        prefix: 'from-env/',
      });
      const ref = await store.put(text('from env'), 'image/png');
      expect(await store.get(ref.sha256)).toEqual(text('from env'));
    } finally {
      for (const key of Object.keys(server.env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });

  it('fails with a clear error while S3 is down, and works again once it is back (same data)', {
    timeout: 60_000,
  }, async () => {
    const store = new S3BlobStore({ client, bucket: BUCKET, prefix: 'outage/' });
    const before = await store.put(text('before the outage'), 'image/png');
    await server.process.kill();
    const failure = store.put(text('during the outage'), 'image/png');
    await expect(failure).rejects.toBeInstanceOf(S3BlobStoreError);
    await expect(failure).rejects.toThrow(/s3:\/\/blobs\/outage\//);
    await expect(store.get(before.sha256)).rejects.toBeInstanceOf(S3BlobStoreError);
    await server.restart();
    expect(await store.get(before.sha256)).toEqual(text('before the outage'));
    const after = await store.put(text('during the outage'), 'image/png');
    expect(await store.has(after.sha256)).toBe(true);
  });
});
