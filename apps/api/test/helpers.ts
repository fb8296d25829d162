import { randomUUID } from 'node:crypto';
import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import { OneMessagePerTick } from '@photomaker/harness/client';
import { createLogger } from '@photomaker/observability';
import { dataConverterFromEnv } from '@photomaker/temporal/codec';
import { Client, Connection } from '@temporalio/client';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { fetch } from 'undici';
import { inject } from 'vitest';
import { type ApiConfig, configFromEnv } from '../src/config.ts';
import { type ApiServer, createApiServer } from '../src/server.ts';

export const stack = () => inject('stack');

/** A real 1x1 PNG (base64) and the same as a data URI. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
export const PNG_DATA_URI = `data:image/png;base64,${PNG_BASE64}`;

/** Unique tenants per test file, so visibility counts and listings are the file's own. */
export function tenants<const N extends string>(...names: N[]): Record<N, { tenant: string; key: string }> {
  const suffix = randomUUID().slice(0, 8);
  return Object.fromEntries(
    names.map((name) => [name, { tenant: `${name}-${suffix}`, key: `${name}-key-${randomUUID()}` }]),
  ) as Record<N, { tenant: string; key: string }>;
}

export function apiEnv(
  keys: Record<string, { tenant: string; key: string }>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const { env } = stack();
  const { PHOTOMAKER_ALLOW_PRIVATE_URLS: _allow, ...shared } = env;
  return {
    ...shared,
    PHOTOMAKER_API_KEYS: Object.values(keys)
      .map(({ tenant, key }) => `${tenant}:${key}`)
      .join(','),
    ...extra,
  };
}

/** The API in this process on a free port. */
export async function startApi(
  keys: Record<string, { tenant: string; key: string }>,
  extra: Record<string, string> = {},
): Promise<{ server: ApiServer; url: string; config: ApiConfig }> {
  const config = configFromEnv({ ...apiEnv(keys, extra), PORT: '0' });
  const server = await createApiServer(config, {
    logger: createLogger({ service: 'api-test', level: 'warn' }),
  });
  const url = await server.listen();
  return { server, url, config: { ...config } };
}

/** The API as its own process (restart / two-replica tests). */
export function startApiProcess(
  keys: Record<string, { tenant: string; key: string }>,
  extra: Record<string, string> = {},
): Promise<RunningNodeApp> {
  return startNodeApp({
    name: 'api',
    entry: 'apps/api/src/main.ts',
    args: ['--port', '0'],
    env: apiEnv(keys, extra),
  });
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POST /graphql with undici's fetch. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  key: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers as unknown as Headers, ...body };
}

/** POST /v1 with a Runware task array; returns status and the lossless-parsed body. */
export async function v1(
  url: string,
  key: string | undefined,
  tasks: unknown,
): Promise<{
  status: number;
  body: { data?: Record<string, unknown>[]; errors?: Record<string, unknown>[] };
}> {
  const { parseRunwareJson, stringifyRunwareJson } = await import('@photomaker/schema');
  const response = await fetch(`${url}/v1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof tasks === 'string' ? tasks : stringifyRunwareJson(tasks),
  });
  const text = await response.text();
  return { status: response.status, body: parseRunwareJson(text) as never };
}

/** A graphql-ws client over `ws` (one message per tick, as graphql-ws assumes) with the key in connectionParams. */
export function wsClient(
  url: string,
  key: string | undefined,
  options: { retryAttempts?: number } = {},
): WsClient {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: OneMessagePerTick,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
  });
}

/** Collects every item of a subscription until it completes (or fails). */
export function collect<T = Record<string, unknown>>(
  client: WsClient,
  query: string,
  variables: Record<string, unknown>,
  onItem?: (item: T, all: T[]) => void,
): { done: Promise<T[]>; items: T[]; cancel: () => void } {
  const items: T[] = [];
  let cancel: () => void = () => undefined;
  const done = new Promise<T[]>((resolve, reject) => {
    cancel = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors)
            return reject(Object.assign(new Error(result.errors[0]?.message), { errors: result.errors }));
          if (result.data) {
            items.push(result.data);
            onItem?.(result.data, items);
          }
        },
        error: (error) =>
          reject(
            Array.isArray(error) ? Object.assign(new Error(error[0]?.message), { errors: error }) : error,
          ),
        complete: () => resolve(items),
      },
    );
  });
  return { done, items, cancel: () => cancel() };
}

/** A Temporal client with the stack's codec, for counting workflows through visibility. */
export async function temporalClient(): Promise<Client> {
  const { temporalAddress, env } = stack();
  const connection = await Connection.connect({ address: temporalAddress });
  return new Client({ connection, dataConverter: dataConverterFromEnv(env, () => undefined) });
}

export async function countWorkflows(client: Client, tenant: string): Promise<number> {
  const { count } = await client.workflow.count(
    `WorkflowType='photoMakerJob' AND PhotoMakerTenant='${tenant}'`,
  );
  return count;
}

export async function eventually<T>(
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sets the emulator's latency (per image) so a job lasts long enough to watch it. */
export async function setEmulatorLatency(imageMs: number): Promise<void> {
  const { emulatorUrl } = stack();
  const response = await fetch(`${emulatorUrl}/admin/latency`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ requestMs: 0, imageMs, stepMs: 0, parallelism: imageMs === 0 ? 4 : 1 }),
  });
  if (!response.ok) throw new Error(`PUT /admin/latency: ${response.status} ${await response.text()}`);
}

export const JOB_FIELDS = `
  id status stage seq runwareTaskUUID cost createdAt startedAt finishedAt requestId
  task { positivePrompt style strength width height model steps CFGScale seed numberResults outputFormat includeCost deliveryMethod
         inputImages { kind imageUUID sha256 mediaType size url } }
  images { index url imageUUID seed cost nsfw width height outputFormat mediaType size }
  error { code parameter message retryable }
`;

export const GENERATE = `mutation Generate($input: PhotoMakerInput!, $key: String) {
  generatePhotoMaker(input: $input, idempotencyKey: $key) { ${JOB_FIELDS} }
}`;

export const JOB_EVENTS = `subscription Events($jobId: ID!, $afterSeq: Int) {
  jobEvents(jobId: $jobId, afterSeq: $afterSeq) {
    __typename jobId seq stage status at
    ... on JobSnapshot { job { id status seq images { index } } }
    ... on JobImageReady { index total image { url seed } }
    ... on JobSubmitted { runwareTaskUUID }
    ... on JobSucceeded { imageCount cost }
    ... on JobFailed { error { code message } }
  }
}`;

export function baseInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    positivePrompt: 'a portrait photo, studio light',
    inputImages: [PNG_DATA_URI],
    width: 512,
    height: 512,
    steps: 4,
    ...overrides,
  };
}
