import { randomUUID } from 'node:crypto';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyConfigError, ApiKeyStore, hashApiKey } from '../src/auth/api-keys.ts';
import {
  baseInput,
  collect,
  GENERATE,
  gql,
  JOB_EVENTS,
  PNG_DATA_URI,
  startApi,
  tenants,
  wsClient,
} from './helpers.ts';

const who = tenants('alice', 'bob', 'limited');
let api: Awaited<ReturnType<typeof startApi>>;
let limitedApi: Awaited<ReturnType<typeof startApi>>;
let shallowApi: Awaited<ReturnType<typeof startApi>>;

beforeAll(async () => {
  api = await startApi(
    { alice: who.alice, bob: who.bob },
    { PHOTOMAKER_MAX_QUERY_COMPLEXITY: '300', PHOTOMAKER_MAX_BODY_BYTES: '65536' },
  );
  shallowApi = await startApi({ alice: who.alice }, { PHOTOMAKER_MAX_QUERY_DEPTH: '4' });
  limitedApi = await startApi(
    { limited: who.limited },
    { PHOTOMAKER_RATE_LIMIT: '5', PHOTOMAKER_RATE_LIMIT_WINDOW_SECONDS: '60' },
  );
});

afterAll(async () => {
  await api?.server.close();
  await limitedApi?.server.close();
  await shallowApi?.server.close();
});

describe('API keys', () => {
  it('keeps only hashes and identifies keys (plain and sha256 forms)', () => {
    const hashed = hashApiKey('carol-secret-key').toString('hex');
    const store = new ApiKeyStore(`alice:alice-secret-key\n# comment\ncarol:sha256:${hashed}`);
    expect(store.identify('alice-secret-key')?.tenant).toBe('alice');
    expect(store.identify('carol-secret-key')?.tenant).toBe('carol');
    expect(store.identify('nope-nope-nope')).toBeUndefined();
    expect(store.identify('')).toBeUndefined();
    expect(JSON.stringify(store)).not.toContain('alice-secret-key');
    expect(() => new ApiKeyStore('bad tenant:some-long-key')).toThrow(ApiKeyConfigError);
    expect(() => new ApiKeyStore('alice:short')).toThrow(/at least 8/);
    // The error never echoes a key.
    expect(() => new ApiKeyStore('x y:super-secret-value')).not.toThrow(/super-secret-value/);
  });

  it('refuses unauthenticated and wrong-key HTTP requests with 401', async () => {
    for (const key of [undefined, 'not-a-real-key']) {
      const response = await gql(api.url, key, '{ styles { name } }');
      expect(response.status).toBe(401);
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('refuses a WebSocket without a valid key in connectionParams', async () => {
    const client = wsClient(api.url, 'not-a-real-key');
    const failure = await collect(client, JOB_EVENTS, { jobId: randomUUID() }).done.catch(
      (error: unknown) => error,
    );
    expect((failure as { code?: number }).code).toBe(4403);
    await client.dispose();
  });
});

describe('tenant isolation (not found, never forbidden)', () => {
  it('bob cannot see, cancel, subscribe to or list alice’s job', async () => {
    const created = await gql<{ generatePhotoMaker: { id: string } }>(api.url, who.alice.key, GENERATE, {
      input: baseInput(),
    });
    const id = created.data?.generatePhotoMaker.id ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const seen = await gql<{ job: { id: string } | null }>(
      api.url,
      who.bob.key,
      `query { job(id: "${id}") { id } }`,
    );
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.job).toBeNull();
    const own = await gql<{ job: { id: string } | null }>(
      api.url,
      who.alice.key,
      `query { job(id: "${id}") { id } }`,
    );
    expect(own.data?.job?.id).toBe(id);

    const cancel = await gql(api.url, who.bob.key, `mutation { cancelJob(id: "${id}") { id } }`);
    expect(cancel.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const client = wsClient(api.url, who.bob.key);
    const subscribed = await collect(client, JOB_EVENTS, { jobId: id }).done.catch((error: unknown) => error);
    expect(
      (subscribed as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code,
    ).toBe('NOT_FOUND');
    await client.dispose();

    const listed = await gql<{ jobs: { nodes: { id: string }[] } }>(
      api.url,
      who.bob.key,
      '{ jobs(first: 50) { nodes { id } } }',
    );
    expect(listed.data?.jobs.nodes.map((n) => n.id)).not.toContain(id);
  });

  it('a reference image id of one tenant is not usable by another', async () => {
    const upload = await gql<{ uploadReferenceImage: { id: string } }>(
      api.url,
      who.alice.key,
      'mutation($image: String!) { uploadReferenceImage(image: $image) { id } }',
      { image: PNG_DATA_URI },
    );
    const refId = upload.data?.uploadReferenceImage.id ?? '';
    // For bob the id is unknown, so it is taken as a Runware image UUID, never as alice's photo.
    const bobs = await gql<{
      generatePhotoMaker: { task: { inputImages: { kind: string; sha256: string | null }[] } };
    }>(
      api.url,
      who.bob.key,
      `mutation($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { task { inputImages { kind sha256 } } } }`,
      { input: baseInput({ inputImages: [refId] }) },
    );
    expect(bobs.data?.generatePhotoMaker.task.inputImages[0]).toEqual({ kind: 'RUNWARE', sha256: null });
  });
});

describe('guards', () => {
  it('limits query depth', async () => {
    const ok = await gql(shallowApi.url, who.alice.key, '{ jobs(first: 5) { nodes { id error { code } } } }');
    expect(ok.errors).toBeUndefined();
    const refused = await gql(
      shallowApi.url,
      who.alice.key,
      '{ jobs(first: 5) { nodes { task { inputImages { kind } } } } }',
    );
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.message).toMatch(/depth limit of 4/i);
    // The same limit holds on the WebSocket path.
    const client = wsClient(shallowApi.url, who.alice.key);
    const failure = await collect(client, JOB_EVENTS, { jobId: randomUUID() }).done.catch(
      (error: unknown) => error,
    );
    expect((failure as { errors?: { message: string }[] }).errors?.[0]?.message).toMatch(/depth limit of 4/i);
    await client.dispose();
  });

  it('limits query complexity (lists multiply by first)', async () => {
    const refused = await gql(
      api.url,
      who.alice.key,
      '{ jobs(first: 100) { nodes { id status images { url seed } task { positivePrompt } } } }',
    );
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 300 });
  });

  it('limits the request body', async () => {
    const response = await gql(api.url, who.alice.key, GENERATE, {
      input: baseInput({ inputImages: [`data:image/png;base64,${'A'.repeat(70_000)}`] }),
    });
    expect(response.status).toBe(413);
    expect(response.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rate-limits per key (429 on HTTP, RATE_LIMITED on WebSocket)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await gql(limitedApi.url, who.limited.key, '{ styles { name } }')).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await gql(limitedApi.url, who.limited.key, '{ styles { name } }');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const client = wsClient(limitedApi.url, who.limited.key);
    const failure = await collect(client, JOB_EVENTS, { jobId: randomUUID() }).done.catch(
      (error: unknown) => error,
    );
    expect((failure as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code).toBe(
      'RATE_LIMITED',
    );
    await client.dispose();
  });

  it('masks internal errors on HTTP and WebSocket alike', async () => {
    // Break the Temporal connection under a resolver: the client sees a masked error, not the cause.
    const original = api.server.parts.reads.get.bind(api.server.parts.reads);
    api.server.parts.reads.get = async () => {
      throw new Error('secret internal detail: connection refused to 10.0.0.7');
    };
    try {
      const http = await gql(api.url, who.alice.key, `{ job(id: "${randomUUID()}") { id } }`);
      expect(http.errors?.[0]).toMatchObject({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(http)).not.toContain('secret internal detail');
      const client = wsClient(api.url, who.alice.key);
      const failure = await collect(client, JOB_EVENTS, { jobId: randomUUID() }).done.catch(
        (error: unknown) => error,
      );
      const errors = (failure as { errors?: { message: string; extensions?: { code?: string } }[] }).errors;
      expect(errors?.[0]).toMatchObject({
        message: 'Internal server error',
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(errors)).not.toContain('secret internal detail');
      await client.dispose();
    } finally {
      api.server.parts.reads.get = original;
    }
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect(await (await fetch(`${api.url}/healthz`)).json()).toEqual({
      status: 'ok',
      eventLoopDelayMaxMs: expect.any(Number),
    });
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ temporal: true, redis: true });
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toContain('photomaker_api_http_request_duration_seconds');
    expect(metrics).toContain('photomaker_api_jobs_started_total');
    expect(metrics).toContain('photomaker_api_hub_jobs');
  });
});
