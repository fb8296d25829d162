import { randomUUID } from 'node:crypto';
import {
  createTestPki,
  getFreePort,
  type RunningGrpcTlsProxy,
  type RunningNodeApp,
  startGrpcTlsProxy,
  type TestPki,
} from '@photomaker/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseInput, GENERATE, gql, sleep, stack, startApiProcess, tenants } from './helpers.ts';

// The dev server has no TLS of its own: a TLS terminator (tools/harness, grpc-tls-proxy.ts) in front of
// the shared stack's dev server stands in for Temporal Cloud (server TLS + API key) and a self-hosted
// mTLS cluster. The stack's worker stays on plaintext; jobs the API starts through TLS still run.
const API_KEY = `cloud-key-${randomUUID()}`;
const who = tenants('tls');

let pki: TestPki;
let keyed: RunningGrpcTlsProxy;
let mtls: RunningGrpcTlsProxy;

beforeAll(async () => {
  pki = createTestPki();
  const server = { serverCert: pki.read(pki.serverCertPath), serverKey: pki.read(pki.serverKeyPath) };
  const upstream = stack().temporalAddress;
  keyed = await startGrpcTlsProxy({ upstream, ...server, apiKey: API_KEY });
  mtls = await startGrpcTlsProxy({ upstream, ...server, clientCa: pki.read(pki.caCertPath) });
});

afterAll(async () => {
  await keyed?.stop();
  await mtls?.stop();
});

const keyedEnv = (extra: Record<string, string> = {}) => ({
  TEMPORAL_ADDRESS: keyed.address,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
  TEMPORAL_API_KEY: API_KEY,
  ...extra,
});

/** The API must exit non-zero within seconds of its start, with `message` in its output. */
async function exitsAtStart(api: RunningNodeApp, message: RegExp): Promise<string> {
  const { code } = await api.process.exited;
  expect(code).toBe(1);
  const output = api.process.tail(80);
  expect(output).toMatch(message);
  return output;
}

describe('the API process over TLS (a TLS terminator in front of the dev server)', () => {
  it('runs a job with server TLS and an API key, which the terminator saw on every call', async () => {
    const api = await startApiProcess(who, keyedEnv());
    try {
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(200);
      const { data, errors } = await gql<{ generatePhotoMaker: { status: string } }>(
        api.url ?? '',
        who.tls.key,
        GENERATE,
        {
          input: baseInput({ deliveryMethod: 'SYNC' }),
        },
      );
      expect(errors).toBeUndefined();
      expect(data?.generatePhotoMaker.status).toBe('SUCCEEDED');
      expect(keyed.counts.forwarded).toBeGreaterThan(0);
      expect(keyed.counts.refused).toBe(0);
    } finally {
      await api.stop();
    }
  }, 60_000);

  it('is ready with a client certificate (mTLS)', async () => {
    const api = await startApiProcess(who, {
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
      TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCertPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKeyPath,
    });
    try {
      expect((await fetch(`${api.url}/readyz`)).status).toBe(200);
    } finally {
      await api.stop();
    }
  }, 30_000);

  it('exits at start without the client certificate mTLS requires', async () => {
    const api = await startApiProcess(who, {
      TEMPORAL_ADDRESS: mtls.address,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
    });
    await exitsAtStart(api, /set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/);
  }, 30_000);

  it('exits at start when the server certificate is not from the configured CA', async () => {
    const api = await startApiProcess(
      who,
      keyedEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.otherCaCertPath }),
    );
    await exitsAtStart(api, /failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH/);
  }, 30_000);

  it('keeps running, not ready, when a TLS Temporal is merely not up yet', async () => {
    const dead = await getFreePort();
    const api = await startApiProcess(who, keyedEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${dead}` }));
    try {
      // The start probe (5 s) has given up by then: a settings failure would have ended the process.
      await sleep(6_000);
      expect(api.process.running).toBe(true);
      expect((await fetch(`${api.url}/readyz`)).status).toBe(503);
      expect(api.process.tail(80)).toMatch(/does not answer: check TEMPORAL_ADDRESS.*\/readyz answers 503/);
    } finally {
      await api.stop();
    }
  }, 30_000);

  it('exits at start when the API key is refused, and never prints it', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const refused = keyed.counts.refused;
    const api = await startApiProcess(who, keyedEnv({ TEMPORAL_API_KEY: wrong }));
    const output = await exitsAtStart(api, /refused the credentials: check TEMPORAL_API_KEY/);
    expect(output).not.toContain(wrong);
    expect(keyed.counts.refused).toBeGreaterThan(refused);
  }, 30_000);
});
