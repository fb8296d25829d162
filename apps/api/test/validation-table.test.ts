import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseInput,
  countWorkflows,
  eventually,
  GENERATE,
  gql,
  sleep,
  startApi,
  temporalClient,
  tenants,
} from './helpers.ts';
import { expectRefused, inputOf, rows } from './support/validation-rows.ts';

const who = tenants('table');
let api: Awaited<ReturnType<typeof startApi>>;
let temporal: Client;

beforeAll(async () => {
  // A small per-image limit so the size rule is testable with small images.
  api = await startApi(who, { PHOTOMAKER_MAX_IMAGE_BYTES: '4096' });
  temporal = await temporalClient();
});

afterAll(async () => {
  await api?.server.close();
  await temporal?.connection.close();
});

/** One row per validation layer (schema, image intake, SSRF of images and of outbound URLs); every row of
 * the table runs in process in validation-table.unit.test.ts. */
const SAMPLE = new Set([
  'positivePrompt too short',
  'inputImages gif data URI',
  'inputImages over the size limit',
  'inputImages truncated PNG',
  'inputImages header claiming 60000x60000 (pixel bomb)',
  'inputImages URL on loopback (SSRF)',
  'webhookURL resolving to loopback (SSRF)',
  'uploadEndpoint link-local (SSRF)',
  'seed unsafe JSON number',
  'unknown parameter',
]);

describe('invalid generatePhotoMaker input over HTTP: Runware code and path, nothing started', () => {
  it.each(rows.filter(([name]) => SAMPLE.has(name)))('%s', async (...row) => {
    const response = await gql(api.url, who.table.key, GENERATE, { input: inputOf(row[1]) });
    expectRefused(response, row);
  });

  it('reports every bad parameter of one request', async () => {
    const response = await gql(api.url, who.table.key, GENERATE, {
      input: baseInput({ strength: 99, steps: 0, positivePrompt: 'x' }),
    });
    const details = response.errors?.[0]?.extensions?.runwareErrors as { runwareCode: string }[];
    expect(details.map((d) => d.runwareCode).sort()).toEqual([
      'invalidPositivePrompt',
      'invalidSteps',
      'invalidStrength',
    ]);
  });

  it('refuses a bad idempotencyKey', async () => {
    const response = await gql(api.url, who.table.key, GENERATE, { input: baseInput(), key: '' });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidIdempotencyKey',
      path: ['idempotencyKey'],
    });
  });

  it('started no workflow for any of them (Temporal visibility), while a valid request does start one', async () => {
    // Visibility lags a little behind starts: give any stray start time to show up.
    await sleep(1_500);
    expect(await countWorkflows(temporal, who.table.tenant)).toBe(0);
    const valid = await gql(api.url, who.table.key, GENERATE, { input: baseInput() });
    expect(valid.errors).toBeUndefined();
    await eventually(async () => (await countWorkflows(temporal, who.table.tenant)) === 1);
  });
});
