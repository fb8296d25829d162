import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { LocalBlobStore, S3BlobStore, signBlobPath } from '@photomaker/blobstore';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageRedirectFor } from '../src/http/image-redirects.ts';
import { imageRoutes } from '../src/http/image-routes.ts';

const SECRET = 'image-redirect-test-secret';
// Presigning is local computation: no S3 server is asked, so an unreachable endpoint is fine here.
const s3 = new S3BlobStore({
  client: new S3Client({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test-key', secretAccessKey: 'test-secret' },
  }),
  bucket: 'photos',
  prefix: 'p/',
});

describe('imageRedirectFor', () => {
  it('is off in api mode, refuses a local store in presigned mode', () => {
    expect(imageRedirectFor('api', s3)).toBeUndefined();
    expect(() => imageRedirectFor('presigned', new LocalBlobStore('/nonexistent'))).toThrow(
      /presigned needs an S3 blob store/,
    );
  });

  it('presigns a GET of the blob for the time left, never beyond S3’s 7 days', async () => {
    const redirect = imageRedirectFor('presigned', s3);
    const sha = 'ab'.repeat(32);
    const url = new URL((await redirect?.(sha, 3600)) ?? '');
    expect(url.origin + url.pathname).toBe(`http://127.0.0.1:9/photos/p/ab/${sha}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    const long = new URL((await redirect?.(sha, 30 * 24 * 3600)) ?? '');
    expect(long.searchParams.get('X-Amz-Expires')).toBe(String(7 * 24 * 3600));
  });
});

describe('GET /images in presigned mode', () => {
  let dir: string;
  let server: Server;
  let base: string;
  let stored: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'image-redirects-'));
    const blobs = new LocalBlobStore(dir);
    stored = (await blobs.put(new TextEncoder().encode('bytes'), 'image/png')).sha256;
    const app = express();
    app.use(
      imageRoutes({
        urlSecret: SECRET,
        blobs,
        redirect: async (sha256, validFor) => `https://s3.example/${sha256}?valid=${validFor}`,
      }),
    );
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('redirects a valid URL to where the bytes are, valid until the URL expires; 404 when none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const path = signBlobPath(stored, 'image/png', { secret: SECRET, ttlSeconds: 600, now });
    const response = await fetch(`${base}${path}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.pathname).toBe(`/${stored}`);
    expect(Number(location.searchParams.get('valid'))).toBeGreaterThan(590);
    expect(Number(location.searchParams.get('valid'))).toBeLessThanOrEqual(600);
    const missing = signBlobPath('c'.repeat(64), 'image/png', { secret: SECRET });
    expect((await fetch(`${base}${missing}`, { redirect: 'manual' })).status).toBe(404);
    const forged = path.replace(/sig=[^&]+/, 'sig=forged');
    expect((await fetch(`${base}${forged}`, { redirect: 'manual' })).status).toBe(403);
  });
});
