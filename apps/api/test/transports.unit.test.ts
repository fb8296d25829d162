import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { Admission, AdmissionGate } from '../src/auth/admission.ts';
import { v1Routes } from '../src/gateway/v1/routes.ts';
import { type AdmittedLocals, admitGraphQL } from '../src/graphql/http-admission.ts';
import { jobIdForRunwareTask } from '../src/jobs/ids.ts';
import type { SubmitRequest, SubmitResult } from '../src/jobs/submit-job.ts';
import { createApiMetrics } from '../src/metrics.ts';
import { PNG_DATA_URI } from './helpers.ts';
import { logger, queuedJob } from './support/in-process.ts';

// The HTTP transports as thin mappers, in process: a typed admission refusal or submit result in, the
// protocol's status, headers and body out. The real-stack suites (auth-and-guards, v1-gateway) cover the
// same answers with the real admission and use cases.

const principal = { tenant: 'acme', keyId: 'k1', limits: {} };
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(app: express.Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const admitting = (
  answer: Admission,
  seen: unknown[] = [],
): Pick<AdmissionGate, 'admit' | 'admitAnonymous'> => ({
  admit: async (credentials) => {
    seen.push(credentials);
    return answer;
  },
  admitAnonymous: () => ({ ok: true }),
});

const REFUSALS: [string, Admission, number, string, string | undefined][] = [
  [
    'missing key',
    { ok: false, refusal: { kind: 'unauthenticated', reason: 'missing-key' } },
    401,
    'UNAUTHENTICATED',
    undefined,
  ],
  [
    'rate limited',
    { ok: false, refusal: { kind: 'rate-limited', retryAfterSeconds: 9 } },
    429,
    'RATE_LIMITED',
    '9',
  ],
  ['limiter down', { ok: false, refusal: { kind: 'unavailable' } }, 503, 'SERVICE_UNAVAILABLE', undefined],
  [
    'address blocked',
    { ok: false, refusal: { kind: 'address-limited', reason: 'failed-auth', retryAfterSeconds: 4 } },
    429,
    'RATE_LIMITED',
    '4',
  ],
];

describe('GraphQL over HTTP admission', () => {
  it.each(REFUSALS)('%s -> %i %s', async (_name, answer, status, code, retryAfter) => {
    const app = express();
    app.post('/graphql', admitGraphQL(admitting(answer)), (_req, res) => {
      res.json({ reached: true });
    });
    const response = await fetch(`${await serve(app)}/graphql`, { method: 'POST' });
    expect(response.status).toBe(status);
    expect(response.headers.get('retry-after') ?? undefined).toBe(retryAfter);
    if (status === 401) expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe(code);
  });

  it('admits with the Bearer key and hands the principal on', async () => {
    const seen: unknown[] = [];
    const app = express();
    app.post('/graphql', admitGraphQL(admitting({ ok: true, principal }, seen)), (_req, res) => {
      res.json({ principal: (res.locals as AdmittedLocals).principal });
    });
    const response = await fetch(`${await serve(app)}/graphql`, {
      method: 'POST',
      headers: { authorization: 'Bearer the-key-1' },
    });
    expect(await response.json()).toEqual({ principal });
    expect(seen).toEqual([{ apiKey: 'the-key-1', transport: 'http', ip: '127.0.0.1' }]);
  });
});

describe('POST /v1', () => {
  function gateway(admission: Pick<AdmissionGate, 'admit' | 'admitAnonymous'>, result?: SubmitResult) {
    const requests: SubmitRequest[] = [];
    const app = express();
    app.use(
      v1Routes({
        admission,
        submit: {
          reserve: async () => ({ ok: true, held: [] }),
          submit: async (request) => {
            requests.push(request);
            if (!result) throw new Error('no submission expected');
            return result;
          },
        },
        reads: { get: async () => undefined },
        intake: {
          upload: async () => Promise.reject(new Error('no upload expected')),
          checkUpload: async () => Promise.reject(new Error('no dry run expected')),
        },
        estimate: { estimate: async () => Promise.reject(new Error('no estimate expected')) },
        uploads: { get: async () => null, set: async () => 'OK' } as never,
        blobs: { get: async () => undefined },
        imageUrls: { urlFor: () => 'http://images.test/x' },
        metrics: createApiMetrics(),
        logger,
        limits: { bodyBytes: 1_000_000, syncWaitMs: 1_000, v1Tasks: 32 },
        edge: { anonymousBodyBytes: 65_536, anonymousBodyTimeoutMs: 5_000 },
      }),
    );
    return { app, requests };
  }
  const post = async (url: string, body: unknown) =>
    fetch(`${url}/v1`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: JSON.stringify(body),
    });
  const task = (extra: Record<string, unknown> = {}) => ({
    taskType: 'photoMaker',
    taskUUID: randomUUID(),
    model: 'civitai:139562@344487',
    positivePrompt: 'wearing a suit, professional photo',
    inputImages: [PNG_DATA_URI],
    width: 512,
    height: 512,
    ...extra,
  });

  it.each([
    ['missing key', REFUSALS[0]?.[1], 401, 'missingApiKey', undefined],
    [
      'invalid key',
      { ok: false, refusal: { kind: 'unauthenticated', reason: 'invalid-key' } },
      401,
      'invalidApiKey',
      undefined,
    ],
    ['rate limited', REFUSALS[1]?.[1], 429, 'rateLimitExceeded', '9'],
    ['limiter down', REFUSALS[2]?.[1], 503, 'serviceUnavailable', undefined],
    ['address blocked', REFUSALS[3]?.[1], 429, 'rateLimitExceeded', '4'],
  ] as [string, Admission, number, string, string | undefined][])(
    '%s -> %i %s',
    async (_name, answer, status, code, retryAfter) => {
      const response = await post(await serve(gateway(admitting(answer)).app), [{ taskType: 'ping' }]);
      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after') ?? undefined).toBe(retryAfter);
      expect(((await response.json()) as { errors: { code: string }[] }).errors[0]?.code).toBe(code);
    },
  );

  it('takes the key of a leading authentication task', async () => {
    const seen: unknown[] = [];
    const url = await serve(gateway(admitting({ ok: true, principal }, seen)).app);
    await fetch(`${url}/v1`, {
      method: 'POST',
      body: JSON.stringify([{ taskType: 'authentication', apiKey: 'from-task-key' }, { taskType: 'ping' }]),
    });
    expect(seen).toEqual([{ apiKey: 'from-task-key', transport: 'v1', ip: '127.0.0.1' }]);
  });

  it('submits a photoMaker task once per taskUUID, validated by the wire schema, and acks an async one', async () => {
    const { app, requests } = gateway(admitting({ ok: true, principal }), {
      ok: true,
      state: queuedJob(),
      created: true,
      params: {} as never,
    });
    const sent = task({ deliveryMethod: 'async' });
    const response = await post(await serve(app), [sent]);
    expect(await response.json()).toEqual({ data: [{ taskType: 'photoMaker', taskUUID: sent.taskUUID }] });
    const [request] = requests;
    expect(request).toMatchObject({
      tenant: 'acme',
      via: 'v1',
      onlyNew: true,
      jobId: jobIdForRunwareTask('acme', sent.taskUUID),
    });
    expect(request?.input).toEqual({ params: expect.not.objectContaining({ taskType: 'photoMaker' }) });
    expect(request?.waitFor?.({ deliveryMethod: 'sync' } as never)).toBe(true);
    expect(request?.waitFor?.({ deliveryMethod: 'sync', webhookURL: 'https://x.test/h' } as never)).toBe(
      false,
    );
  });

  it('maps an existing job to conflictTaskUUID and bad input to errors naming the task', async () => {
    const existing = gateway(admitting({ ok: true, principal }), { ok: false, reason: 'exists' });
    const sent = task();
    const conflict = (await (await post(await serve(existing.app), [sent])).json()) as {
      errors: Record<string, unknown>[];
    };
    expect(conflict.errors[0]).toMatchObject({
      code: 'conflictTaskUUID',
      taskUUID: sent.taskUUID,
      parameter: 'taskUUID',
    });
    const invalid = gateway(admitting({ ok: true, principal }), {
      ok: false,
      reason: 'invalid',
      errors: [{ code: 'invalidWebhookURL', parameter: 'webhookURL', message: 'refused' }],
    });
    const response = await post(await serve(invalid.app), [sent]);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Record<string, unknown>[] }).errors[0]).toMatchObject({
      code: 'invalidWebhookURL',
      taskType: 'photoMaker',
      taskUUID: sent.taskUUID,
      documentation: expect.any(String),
    });
  });
});
