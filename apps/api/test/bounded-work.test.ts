import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  collect,
  countWorkflows,
  GENERATE,
  gql,
  PNG_DATA_URI,
  sleep,
  startApi,
  temporalClient,
  tenants,
  v1,
  wsClient,
} from './helpers.ts';

// Bounded work per request through the real transports (Apollo over HTTP, graphql-ws, /v1) on the real
// stack: the shapes of the issue are refused with one clear error, quickly, and start nothing.
// bounded-work.unit.test.ts and bounded-work.property.unit.test.ts cover the guards in process.

const who = tenants('bounded', 'curious');
let api: Awaited<ReturnType<typeof startApi>>;
let open: Awaited<ReturnType<typeof startApi>>;
let temporal: Client;

beforeAll(async () => {
  api = await startApi({ bounded: who.bounded });
  open = await startApi({ curious: who.curious }, { PHOTOMAKER_GRAPHQL_INTROSPECTION: 'true' });
  temporal = await temporalClient();
});

afterAll(async () => {
  await api?.server.close();
  await open?.server.close();
  await temporal?.connection.close();
});

const pages = Array.from({ length: 15 }, (_, i) => `j${i}: jobs(first: 100) { nodes { id } }`).join(' ');
const typenames = (n: number) => Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ');

describe('bounded work per request', () => {
  it('counts aliased __typename: 10,000 of them are refused, not a way around the complexity limit', async () => {
    const alone = await gql(api.url, who.bounded.key, `{ ${pages} }`);
    expect(alone.status).toBe(400);
    const padded = await gql(api.url, who.bounded.key, `{ ${pages} ${typenames(10_000)} }`);
    expect(padded.status).toBe(400);
    expect(padded.errors).toHaveLength(1);
    expect(padded.errors?.[0]?.message).toMatch(/tokens/);
    const underTokens = await gql(api.url, who.bounded.key, `{ ${typenames(1_000)} }`);
    expect(underTokens.status).toBe(400);
    expect(underTokens.errors?.[0]?.message).toBe('Aliases limit of 15 exceeded, found 1000.');
  });

  it('answers a 400,000-element wrong-typed inputImages with one error, quickly, and starts nothing', async () => {
    const before = await countWorkflows(temporal, who.bounded.tenant);
    const started = performance.now();
    const long = await gql(api.url, who.bounded.key, GENERATE, {
      input: baseInput({ inputImages: new Array(400_000).fill(5) }),
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(long.status).toBe(400);
    expect(long.errors).toHaveLength(1);
    expect(long.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 100,
      found: 400_000,
    });
    const bad = await gql(api.url, who.bounded.key, GENERATE, {
      input: baseInput({ inputImages: [PNG_DATA_URI, ...new Array(50).fill(5)] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors?.[0]?.extensions).toMatchObject({
      runwareCode: 'invalidInputImages',
      parameter: 'inputImages',
      path: ['input', 'inputImages', 1],
    });
    await sleep(500);
    expect(await countWorkflows(temporal, who.bounded.tenant)).toBe(before);
  });

  it('applies the same checks to graphql-ws subscribes', async () => {
    const client = wsClient(api.url, who.bounded.key);
    const refused = async (query: string, variables: Record<string, unknown> = {}) => {
      const failure = await collect(client, query, variables).done.catch((error: unknown) => error);
      return (
        (failure as { errors?: { message: string; extensions?: Record<string, unknown> }[] }).errors ?? []
      );
    };
    const aliased = await refused(
      `subscription { jobEvents(jobId: "${randomUUID()}") { a1: __typename a2: __typename ${typenames(20)} } }`,
    );
    expect(aliased[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
    const list = await refused('subscription S($jobId: ID!) { jobEvents(jobId: $jobId) { __typename } }', {
      jobId: new Array(1_000).fill(5),
    });
    expect(list).toHaveLength(1);
    expect(list[0]?.message).toMatch(/at most 100 are accepted/);
    const introspection = await refused('subscription { __schema { types { name } } }');
    expect(introspection[0]?.message).toMatch(/introspection/i);
    await client.dispose();
  });

  it('answers introspection only when PHOTOMAKER_GRAPHQL_INTROSPECTION=true', async () => {
    const query = '{ __schema { queryType { name } } }';
    const closed = await gql(api.url, who.bounded.key, query);
    expect(closed.status).toBe(400);
    expect(closed.errors?.[0]?.message).toMatch(/introspection/i);
    const allowed = await gql(open.url, who.curious.key, query);
    expect(allowed.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('/v1 refuses a batch with a prototype-named taskType or too many tasks before any task starts', async () => {
    const before = await countWorkflows(temporal, who.bounded.tenant);
    const photoMaker = {
      taskType: 'photoMaker',
      taskUUID: randomUUID(),
      model: 'civitai:139562@344487',
      positivePrompt: 'wearing a suit',
      inputImages: [PNG_DATA_URI],
      width: 512,
      height: 512,
      deliveryMethod: 'async',
    };
    for (const taskType of ['constructor', '__proto__', 'toString']) {
      const response = await v1(api.url, who.bounded.key, [photoMaker, { taskType, taskUUID: randomUUID() }]);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ code: 'unsupportedTaskType', parameter: 'taskType' }),
      ]);
      expect(response.body.data).toBeUndefined();
    }
    const many = await v1(api.url, who.bounded.key, new Array(33).fill({ taskType: 'ping' }));
    expect(many.status).toBe(400);
    expect(many.body.errors?.[0]).toMatchObject({ code: 'invalidTaskFormat', max: 32 });
    await sleep(500);
    expect(await countWorkflows(temporal, who.bounded.tenant)).toBe(before);
  });
});
