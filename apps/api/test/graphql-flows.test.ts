import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  collect,
  GENERATE,
  gql,
  JOB_EVENTS,
  JOB_FIELDS,
  PNG_DATA_URI,
  setEmulatorLatency,
  startApi,
  tenants,
  wsClient,
} from './helpers.ts';

const who = tenants('flows');
let api: Awaited<ReturnType<typeof startApi>>;
const key = who.flows.key;

type Job = {
  id: string;
  status: string;
  stage: string;
  seq: number;
  requestId: string | null;
  task: {
    positivePrompt: string;
    seed: string | null;
    inputImages: { kind: string; sha256: string | null; url: string | null }[];
  };
  images: { index: number; url: string; seed: string; imageUUID: string; mediaType: string; size: number }[];
  error: { code: string } | null;
};

beforeAll(async () => {
  api = await startApi(who);
});

afterAll(async () => {
  await setEmulatorLatency(0);
  await api?.server.close();
});

async function waitForStatus(id: string, statuses: string[], timeoutMs = 30_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await gql<{ job: Job }>(
      api.url,
      key,
      `query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`,
      { id },
    );
    if (data?.job && statuses.includes(data.job.status)) return data.job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${data?.job?.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GraphQL over HTTP, end to end (real Temporal, worker, emulator)', () => {
  it('lists the styles and the recommended models', async () => {
    const { data } = await gql<{ styles: { style: string; name: string }[]; models: { air: string }[] }>(
      api.url,
      key,
      '{ styles { style name } models { air name version } }',
    );
    expect(data?.styles).toHaveLength(11);
    expect(data?.styles[0]).toEqual({ style: 'NO_STYLE', name: 'No style' });
    expect(data?.models[0]?.air).toBe('civitai:139562@344487');
  });

  it('generatePhotoMaker ASYNC returns the queued job at once, which then succeeds with served images', async () => {
    const started = Date.now();
    const { data, errors, headers } = await gql<{ generatePhotoMaker: Job }>(
      api.url,
      key,
      GENERATE,
      { input: baseInput({ numberResults: 2, seed: '9223372036854775000' }) },
      { 'x-request-id': 'req-flows-1' },
    );
    const elapsed = Date.now() - started;
    expect(errors).toBeUndefined();
    expect(headers.get('x-request-id')).toBe('req-flows-1');
    const job = data?.generatePhotoMaker as Job;
    expect(job.status).toBe('QUEUED');
    expect(job.requestId).toBe('req-flows-1');
    expect(job.task.positivePrompt).toBe('rwre, a portrait photo, studio light');
    expect(job.task.seed).toBe('9223372036854775000');
    expect(job.task.inputImages[0]).toMatchObject({
      kind: 'BLOB',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    console.warn(`generatePhotoMaker (ASYNC) answered in ${elapsed} ms`);

    const done = await waitForStatus(job.id, ['SUCCEEDED', 'FAILED']);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.images.map((image) => image.index)).toEqual([0, 1]);
    expect(done.images.map((image) => image.seed)).toEqual(['9223372036854775000', '9223372036854775001']);
    const image = done.images[0];
    const response = await fetch(image?.url ?? '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(image?.mediaType);
    expect((await response.arrayBuffer()).byteLength).toBe(image?.size);
    // A forged signature is refused.
    const forged = await fetch(`${image?.url.replace(/sig=[^&]+/, 'sig=AAAA')}`);
    expect(forged.status).toBe(403);
  });

  it('generatePhotoMaker SYNC waits for the finished job', async () => {
    const { data, errors } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE, {
      input: baseInput({ deliveryMethod: 'SYNC', positivePrompt: 'a photo of rwre as an astronaut' }),
    });
    expect(errors).toBeUndefined();
    expect(data?.generatePhotoMaker.status).toBe('SUCCEEDED');
    expect(data?.generatePhotoMaker.task.positivePrompt).toBe('a photo of rwre as an astronaut');
    expect(data?.generatePhotoMaker.images).toHaveLength(1);
  });

  it('uploadReferenceImage stores a photo once; jobs reference it by id', async () => {
    const upload = await gql<{
      uploadReferenceImage: { id: string; sha256: string; url: string; size: number };
    }>(
      api.url,
      key,
      'mutation($image: String!) { uploadReferenceImage(image: $image) { id sha256 url size mediaType expiresAt } }',
      { image: PNG_DATA_URI },
    );
    expect(upload.errors).toBeUndefined();
    const ref = upload.data?.uploadReferenceImage;
    expect(ref?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(ref?.url ?? '')).status).toBe(200);
    const { data, errors } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE, {
      input: baseInput({ inputImages: [ref?.id], deliveryMethod: 'SYNC' }),
    });
    expect(errors).toBeUndefined();
    expect(data?.generatePhotoMaker.task.inputImages[0]).toMatchObject({ kind: 'BLOB', sha256: ref?.sha256 });
    expect(data?.generatePhotoMaker.status).toBe('SUCCEEDED');
  });

  it('the same idempotencyKey returns the same job; reused with other input it is refused', async () => {
    const first = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE, {
      input: baseInput(),
      key: 'order-42',
    });
    const again = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE, {
      input: baseInput(),
      key: 'order-42',
    });
    expect(first.errors).toBeUndefined();
    expect(again.errors).toBeUndefined();
    expect(again.data?.generatePhotoMaker.id).toBe(first.data?.generatePhotoMaker.id);
    const other = await gql(api.url, key, GENERATE, { input: baseInput({ strength: 30 }), key: 'order-42' });
    expect(other.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'conflictIdempotencyKey',
      parameter: 'idempotencyKey',
    });
  });

  it('jobs lists this tenant newest first with cursor pages and a status filter', async () => {
    const page1 = await gql<{
      jobs: { nodes: Job[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(
      api.url,
      key,
      'query($after: String) { jobs(first: 2, after: $after) { nodes { id status createdAt } pageInfo { hasNextPage endCursor } } }',
    );
    expect(page1.errors).toBeUndefined();
    expect(page1.data?.jobs.nodes).toHaveLength(2);
    expect(page1.data?.jobs.pageInfo.hasNextPage).toBe(true);
    const page2 = await gql<{ jobs: { nodes: Job[] } }>(
      api.url,
      key,
      'query($after: String) { jobs(first: 2, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }',
      { after: page1.data?.jobs.pageInfo.endCursor },
    );
    const ids1 = page1.data?.jobs.nodes.map((n) => n.id) ?? [];
    const ids2 = page2.data?.jobs.nodes.map((n) => n.id) ?? [];
    expect(ids2.length).toBeGreaterThan(0);
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    const succeeded = await gql<{ jobs: { nodes: Job[] } }>(
      api.url,
      key,
      '{ jobs(first: 50, status: SUCCEEDED) { nodes { id status } } }',
    );
    expect(succeeded.data?.jobs.nodes.length).toBeGreaterThan(0);
    expect(new Set(succeeded.data?.jobs.nodes.map((n) => n.status))).toEqual(new Set(['SUCCEEDED']));
    const bad = await gql(api.url, key, '{ jobs(first: 2, after: "garbage") { nodes { id } } }');
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', parameter: 'after' });
  });

  it('cancelJob cancels a running job', async () => {
    await setEmulatorLatency(2_000);
    const { data } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE, {
      input: baseInput({ numberResults: 3 }),
    });
    const id = data?.generatePhotoMaker.id ?? '';
    await waitForStatus(id, ['RUNNING']);
    const cancelled = await gql<{ cancelJob: Job }>(
      api.url,
      key,
      `mutation($id: ID!) { cancelJob(id: $id) { id status } }`,
      { id },
    );
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.cancelJob.id).toBe(id);
    const final = await waitForStatus(id, ['CANCELLED', 'SUCCEEDED', 'FAILED']);
    expect(final.status).toBe('CANCELLED');
    await setEmulatorLatency(0);
    const missing = await gql(api.url, key, `mutation { cancelJob(id: "${crypto.randomUUID()}") { id } }`);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('jobEvents over graphql-ws', () => {
  it('serves queries and mutations over the WebSocket too (same auth, same schema)', async () => {
    const client = wsClient(api.url, key);
    try {
      const [styles] = await collect<{ styles: { style: string }[] }>(client, '{ styles { style } }', {})
        .done;
      expect(styles?.styles).toHaveLength(11);
      const [created] = await collect<{ generatePhotoMaker: Job }>(client, GENERATE, { input: baseInput() })
        .done;
      expect(created?.generatePhotoMaker.status).toBe('QUEUED');
      const invalid = await collect(client, GENERATE, { input: baseInput({ strength: 99 }) }).done.catch(
        (e: unknown) => e,
      );
      expect(
        (invalid as { errors?: { extensions?: Record<string, unknown> }[] }).errors?.[0]?.extensions,
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
        runwareCode: 'invalidStrength',
        path: ['input', 'strength'],
      });
      // A bad variable type: rewritten the same way as on HTTP, not masked.
      const coercion = await collect(client, GENERATE, { input: baseInput({ strength: 20.5 }) }).done.catch(
        (e: unknown) => e,
      );
      expect(
        (coercion as { errors?: { extensions?: Record<string, unknown> }[] }).errors?.[0]?.extensions,
      ).toMatchObject({
        code: 'BAD_USER_INPUT',
        runwareCode: 'invalidStrength',
        path: ['input', 'strength'],
      });
    } finally {
      await client.dispose();
    }
  });

  it('sends a snapshot, then every event in order, and completes after the terminal event', async () => {
    await setEmulatorLatency(150);
    const client = wsClient(api.url, key);
    try {
      const { data } = await gql<{ generatePhotoMaker: Job }>(api.url, key, GENERATE, {
        input: baseInput({ numberResults: 3 }),
      });
      const jobId = data?.generatePhotoMaker.id ?? '';
      const events = await collect<{ jobEvents: { __typename: string; seq: number; stage: string } }>(
        client,
        JOB_EVENTS,
        { jobId },
      ).done;
      const items = events.map((e) => e.jobEvents);
      expect(items[0]?.__typename).toBe('JobSnapshot');
      const rest = items.slice(1);
      const seqs = rest.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs[0]).toBe((items[0]?.seq ?? 0) + 1);
      expect(rest.at(-1)?.__typename).toBe('JobSucceeded');
      expect(rest.filter((e) => e.__typename === 'JobImageReady')).toHaveLength(
        3 -
          ((events[0]?.jobEvents as unknown as { job?: { images: unknown[] } } | undefined)?.job?.images
            .length ?? 0),
      );

      // Resume from the middle: only later events; a finished job gives its snapshot and completes.
      const middle = rest[1]?.seq ?? 1;
      const resumed = (
        await collect<{ jobEvents: { __typename: string; seq: number } }>(client, JOB_EVENTS, {
          jobId,
          afterSeq: middle,
        }).done
      ).map((e) => e.jobEvents);
      expect(resumed).toHaveLength(1);
      expect(resumed[0]).toMatchObject({ __typename: 'JobSnapshot', seq: rest.at(-1)?.seq });
    } finally {
      await client.dispose();
      await setEmulatorLatency(0);
    }
  });
});
