import { createMetricsRegistry } from '@photomaker/observability';
import { AesGcmPayloadCodec, createCodecHandler, parsePayloadKeys } from '@photomaker/temporal/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHttpServer, startHttpServer } from '../src/http-server.ts';
import { createWorkerMetrics } from '../src/metrics.ts';
import { TEST_PAYLOAD_KEYS } from './support/harness.ts';

// The worker's operator port as main.ts starts it: /metrics (token optional), /healthz, /codec (token).
const METRICS_TOKEN = 'worker-metrics-token-0123';
const CODEC_TOKEN = 'worker-codec-token-0123456';
let running: RunningHttpServer | undefined;

async function start(metricsToken: string | undefined, codecToken: string | undefined) {
  const registry = createMetricsRegistry('worker-http-test');
  createWorkerMetrics(registry).jobs.inc({ outcome: 'succeeded' });
  running = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    metricsToken,
    health: () => ({ ok: true, details: {} }),
    codec: createCodecHandler({
      codec: new AesGcmPayloadCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS)),
      token: codecToken,
      allowedOrigins: ['http://127.0.0.1:8233'],
      offHint: 'set WORKER_CODEC_TOKEN to use it',
    }),
  });
  return running.url;
}

const decode = (url: string, path: string, headers: Record<string, string> = {}) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ payloads: [] }),
  });

afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('the worker operator port', () => {
  it('serves /metrics openly on its private port when no metrics token is set', async () => {
    const url = await start(undefined, CODEC_TOKEN);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/photomaker_jobs_total\{[^}]*outcome="succeeded"/);
  });

  it('requires PHOTOMAKER_METRICS_TOKEN on /metrics when it is set', async () => {
    const url = await start(METRICS_TOKEN, CODEC_TOKEN);
    const refused = await fetch(`${url}/metrics`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: '/metrics needs Authorization: Bearer <PHOTOMAKER_METRICS_TOKEN>',
    });
    const allowed = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(allowed.status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('keeps /codec off without WORKER_CODEC_TOKEN, and behind it with one', async () => {
    const off = await start(undefined, undefined);
    const response = await decode(off, '/codec/decode');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: 'the codec endpoint is off: set WORKER_CODEC_TOKEN to use it',
    });
    await running?.close();
    const on = await start(undefined, CODEC_TOKEN);
    expect((await decode(on, '/codec/decode')).status).toBe(401);
    expect((await decode(on, `/codec/${CODEC_TOKEN}/decode`)).status).toBe(200);
    expect((await decode(on, '/codec/decode', { authorization: `Bearer ${CODEC_TOKEN}` })).status).toBe(200);
    const foreign = await decode(on, `/codec/${CODEC_TOKEN}/decode`, { origin: 'http://localhost:9999' });
    expect(foreign.status).toBe(403);
  });
});
