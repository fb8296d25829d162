import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTES, workflowIdForJob } from '@photomaker/temporal';
import type { Client } from '@temporalio/client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, GENERATE, gql, PNG_BASE64, startApi, temporalClient, tenants } from './helpers.ts';
import { pngClaiming, truncatedPng } from './support/bad-images.ts';

const who = tenants('extras');
let api: Awaited<ReturnType<typeof startApi>>;
let webDir: string;
let images: Server;
let imagesUrl: string;
let temporal: Client;
let imageHits = 0;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'photomaker-web-'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>PhotoMaker</title>');
  writeFileSync(join(webDir, 'app.js'), 'console.log(1)');
  images = createServer((req, res) => {
    imageHits++;
    if (req.url === '/face.png')
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from(PNG_BASE64, 'base64'));
    else if (req.url === '/big.png') res.writeHead(200).end(Buffer.alloc(10_000, 1));
    else if (req.url === '/truncated.png') res.writeHead(200).end(truncatedPng());
    else if (req.url === '/bomb.png') res.writeHead(200).end(pngClaiming(60_000, 60_000));
    else res.writeHead(404).end();
  });
  images.listen(0, '127.0.0.1');
  await once(images, 'listening');
  imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
  api = await startApi(who, {
    PHOTOMAKER_WEB_DIR: webDir,
    PHOTOMAKER_WEB_DEMO_KEY: who.extras.key,
    // The operator allows this loopback image host explicitly.
    PHOTOMAKER_ALLOW_PRIVATE_URLS: '127.0.0.1/32',
    PHOTOMAKER_MAX_IMAGE_BYTES: '8192',
  });
  temporal = await temporalClient();
});

afterAll(async () => {
  await api?.server.close();
  images.close();
  await temporal?.connection.close();
  rmSync(webDir, { recursive: true, force: true });
});

describe('web app, URL images and request ids', () => {
  it('serves the web app with SPA fallback and /web-config.json with the demo key', async () => {
    const index = await fetch(`${api.url}/`, { headers: { accept: 'text/html' } });
    expect(await index.text()).toContain('<title>PhotoMaker</title>');
    expect(await (await fetch(`${api.url}/app.js`)).text()).toBe('console.log(1)');
    const deep = await fetch(`${api.url}/jobs/123`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>PhotoMaker</title>');
    expect(await (await fetch(`${api.url}/web-config.json`)).json()).toEqual({ apiKey: who.extras.key });
    // API paths never fall back to the SPA.
    expect((await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } })).status).toBe(401);
  });

  it('fetches URL input images through the guard (allow-listed here), size-limited, decoded, into the blob store', async () => {
    const { data, errors } = await gql<{
      generatePhotoMaker: { task: { inputImages: { kind: string; size: number }[] } };
    }>(
      api.url,
      who.extras.key,
      'mutation($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { task { inputImages { kind size } } } }',
      { input: baseInput({ inputImages: [`${imagesUrl}/face.png`] }) },
    );
    expect(errors).toBeUndefined();
    expect(data?.generatePhotoMaker.task.inputImages[0]).toEqual({
      kind: 'BLOB',
      size: Buffer.from(PNG_BASE64, 'base64').length,
    });
    for (const [path, rule] of [
      ['/big.png', /limit/],
      ['/missing.png', /HTTP 404/],
      ['/truncated.png', /inputImages\[0\] cannot be decoded: the image\/png data is truncated or corrupt/],
      ['/bomb.png', /inputImages\[0\] is 60000x60000 \(3600\.0 megapixels\); the limit is/],
    ] as const) {
      const refused = await gql(api.url, who.extras.key, GENERATE, {
        input: baseInput({ inputImages: [`${imagesUrl}${path}`] }),
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        runwareCode: 'invalidInputImages',
        path: ['input', 'inputImages', 0],
      });
      expect(refused.errors?.[0]?.message).toMatch(rule);
    }
    expect(imageHits).toBe(5);
  });

  it('puts the request id in the workflow memo and in the job', async () => {
    const { data } = await gql<{ generatePhotoMaker: { id: string; requestId: string } }>(
      api.url,
      who.extras.key,
      'mutation($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { id requestId } }',
      { input: baseInput() },
      { 'x-request-id': 'trace-abc-123' },
    );
    expect(data?.generatePhotoMaker.requestId).toBe('trace-abc-123');
    const description = await temporal.workflow
      .getHandle(workflowIdForJob(data?.generatePhotoMaker.id ?? ''))
      .describe();
    expect(description.memo).toMatchObject({ requestId: 'trace-abc-123', tenant: who.extras.tenant });
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.tenant)).toBe(who.extras.tenant);
  });

  it('starts without Temporal and Redis and reports not ready until they answer', async () => {
    const { getFreePort } = await import('@photomaker/harness');
    const [deadTemporal, deadRedis] = await Promise.all([getFreePort(), getFreePort()]);
    const orphan = await startApi(who, {
      TEMPORAL_ADDRESS: `127.0.0.1:${deadTemporal}`,
      REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
    });
    try {
      expect((await fetch(`${orphan.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${orphan.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'not ready', temporal: false, redis: false });
    } finally {
      await orphan.server.close();
    }
  });
});
