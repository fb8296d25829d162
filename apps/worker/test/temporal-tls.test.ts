import { randomUUID } from 'node:crypto';
import {
  createTestPki,
  ExitedBeforeReadyError,
  type RunningGrpcTlsProxy,
  startGrpcTlsProxy,
  type TestPki,
} from '@photomaker/harness';
import { msToTs } from '@temporalio/common/lib/time.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Harness } from './support/harness.ts';
import { spawnWorkerProcess, workerProcessEnv } from './support/worker-process.ts';

// The dev server has no TLS of its own: a TLS terminator (tools/harness, grpc-tls-proxy.ts) stands in
// for a self-hosted mTLS cluster and for Temporal Cloud (server TLS + API key), with a test CA.
const API_KEY = `test-key-${randomUUID()}`;
const OPERATOR_SERVICE = 'temporal.api.operatorservice.v1.OperatorService';

let pki: TestPki;
let mtls: RunningGrpcTlsProxy;
let keyed: RunningGrpcTlsProxy;
let h: Harness;
/** A namespace registered by the test, so without the platform's search attributes. */
let bare: string;

beforeAll(async () => {
  pki = createTestPki();
  const server = { serverCert: pki.read(pki.serverCertPath), serverKey: pki.read(pki.serverKeyPath) };
  const upstream = inject('temporalAddress');
  mtls = await startGrpcTlsProxy({ upstream, ...server, clientCa: pki.read(pki.caCertPath) });
  // Like a Temporal Cloud namespace key: no operator service, so the worker falls back to queries.
  keyed = await startGrpcTlsProxy({
    upstream,
    ...server,
    apiKey: API_KEY,
    deniedServices: [OPERATOR_SERVICE],
  });
  h = await Harness.create('tls');
  bare = `photomaker-bare-${randomUUID().slice(0, 8)}`;
  await h.client.workflowService.registerNamespace({
    namespace: bare,
    workflowExecutionRetentionPeriod: msToTs('1 day'),
  });
  await waitForNamespace(bare);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await mtls?.stop();
  await keyed?.stop();
});

async function waitForNamespace(namespace: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = await h.client.workflowService.describeNamespace({ namespace }).then(
      () => true,
      () => false,
    );
    if (found) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`namespace ${namespace} never appeared`);
}

const mtlsEnv = (extra: Record<string, string> = {}) =>
  workerProcessEnv(h, inject('emulatorUrl'), {
    TEMPORAL_ADDRESS: mtls.address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCertPath,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKeyPath,
    ...extra,
  });

const keyEnv = (extra: Record<string, string> = {}) =>
  workerProcessEnv(h, inject('emulatorUrl'), {
    TEMPORAL_ADDRESS: keyed.address,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
    TEMPORAL_API_KEY: API_KEY,
    ...extra,
  });

/** The worker must exit non-zero, promptly, with `message` in its output. */
async function refusedAtStart(name: string, env: Record<string, string>, message: RegExp): Promise<string> {
  const started = Date.now();
  const error = await spawnWorkerProcess(name, env).then(
    async (running) => {
      await running.kill();
      throw new Error(`${name} started, but it should have refused to`);
    },
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ExitedBeforeReadyError);
  const text = (error as Error).message;
  expect(text).toMatch(/exited \(code 1,/);
  expect(text).toMatch(message);
  expect(Date.now() - started).toBeLessThan(20_000);
  return text;
}

describe('the worker process over TLS (a TLS terminator in front of the dev server)', () => {
  it('runs a job with a client certificate (mTLS) and says how it connected', async () => {
    const lines: string[] = [];
    const worker = await spawnWorkerProcess('worker-mtls', mtlsEnv(), (line) => lines.push(line));
    try {
      const before = mtls.counts.forwarded;
      const job = await h.start(h.input(await h.task()));
      expect((await h.result(job)).status).toBe('SUCCEEDED');
      // The job's tasks went through the terminator: the worker polls nowhere else.
      expect(mtls.counts.forwarded).toBeGreaterThan(before);
      expect(lines.join('\n')).toContain('"security":"TLS (configured CA), client certificate"');
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('runs with server TLS and an API key the terminator checks, without operator permission', async () => {
    const worker = await spawnWorkerProcess('worker-key', keyEnv());
    try {
      // The search-attribute check fell back to visibility queries: the operator call was denied.
      expect(keyed.counts.denied).toBeGreaterThan(0);
      expect(keyed.counts.forwarded).toBeGreaterThan(0);
      expect(keyed.counts.refused).toBe(0);
    } finally {
      await worker.stop();
    }
  }, 60_000);

  it('exits at start without a client certificate, naming the variables to set', async () => {
    const env = mtlsEnv();
    const { TEMPORAL_TLS_CLIENT_CERT_PATH: _cert, TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...withoutCert } = env;
    await refusedAtStart(
      'worker-no-cert',
      withoutCert,
      /requires a client certificate it trusts; set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
  }, 30_000);

  it('exits at start when the server certificate is not from the configured CA', async () => {
    await refusedAtStart(
      'worker-wrong-ca',
      mtlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.otherCaCertPath }),
      /TLS with Temporal at .* failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
    );
  }, 30_000);

  it('exits at start when the API key is refused, and never prints it', async () => {
    const wrongKey = `wrong-${randomUUID()}`;
    const text = await refusedAtStart(
      'worker-wrong-key',
      keyEnv({ TEMPORAL_API_KEY: wrongKey }),
      /refused the credentials: check TEMPORAL_API_KEY/,
    );
    expect(text).not.toContain(wrongKey);
    expect(keyed.counts.refused).toBeGreaterThan(0);
  }, 30_000);
});

describe('a namespace without the search attributes', () => {
  const commands = (namespace: string) =>
    new RegExp(
      `lacks the search attributes PhotoMakerTenant, PhotoMakerStatus, PhotoMakerStyle, PhotoMakerModel[\\s\\S]*temporal operator search-attribute create --namespace ${namespace} --name PhotoMakerTenant --type Keyword`,
    );

  it('stops the worker with the commands that create them (operator service)', async () => {
    await refusedAtStart('worker-bare', mtlsEnv({ TEMPORAL_NAMESPACE: bare }), commands(bare));
  }, 30_000);

  it('is found by visibility queries when the key may not use the operator service', async () => {
    const denied = keyed.counts.denied;
    await refusedAtStart('worker-bare-key', keyEnv({ TEMPORAL_NAMESPACE: bare }), commands(bare));
    expect(keyed.counts.denied).toBeGreaterThan(denied);
  }, 30_000);
});
