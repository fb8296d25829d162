import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createTestPki,
  ManagedProcess,
  type RunningGrpcTlsProxy,
  type RunningTemporal,
  startGrpcTlsProxy,
  startTemporal,
  type TestPki,
} from '@photomaker/harness';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_VARIABLES, SET_BY_LAUNCHER } from '../src/app-envs.ts';
import { freeStackPorts } from '../src/launch.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, PHOTOMAKER_RUNWARE: 'emulator', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code: code as number, stdout, stderr };
}

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

function occupy(port: number): Promise<void> {
  const server = createServer().listen(port, '127.0.0.1');
  servers.push(server);
  return once(server, 'listening').then(() => undefined);
}

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

// Each case spawns the launcher, which loads every app's configuration code: on a CI machine running other
// suites beside this one that alone took 5-17 s (measured at load 24), near the default 30 s timeout.
const SPAWN_TIMEOUT = { timeout: 120_000 };

describe('npm start, before anything runs', SPAWN_TIMEOUT, () => {
  it('--help lists every setting of the launcher and of every app it starts', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    const setByLauncher = new Set(Object.values(SET_BY_LAUNCHER).flat());
    const settings = [...KNOWN_VARIABLES].filter((name) => !setByLauncher.has(name));
    expect(settings.length).toBeGreaterThan(60);
    for (const name of settings) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('an unknown flag is a usage error (exit 2), without a stack trace', async () => {
    const { code, stderr } = await run(['--prot', '4000']);
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--prot'");
    expect(stderr).not.toMatch(STACK_TRACE);
  });

  it('a bad setting names the variable and the rule, starts nothing, exit 1', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'stack-cli-')), 'data');
    const { code, stderr, stdout } = await run(['--data-dir', dataDir], { PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT / --port: must be a TCP port number from 1 to 65535 (got "abc")');
    expect(stderr).toContain(
      'LOG_LEVEL: must be one of: trace, debug, info, warn, error, fatal, silent (got "loud")',
    );
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(stdout).toBe('');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a busy port is one clear line per port (service and variable named), and nothing starts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-cli-'));
    const ports = await freeStackPorts();
    await occupy(Number(ports.PORT));
    await occupy(Number(ports.REDIS_PORT));
    await occupy(Number(ports.TEMPORAL_UI_PORT));
    const { code, stderr, stdout } = await run(['--data-dir', dataDir, '--dotenv', '/dev/null'], ports);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `port ${ports.PORT} (for the API and web app) is already in use: stop what holds it (\`ss -ltnp 'sport = :${ports.PORT}'\` shows it) or choose another port with PORT or --port`,
    );
    expect(stderr).toContain(
      `port ${ports.REDIS_PORT} (for redis-server) is already in use: stop what holds it (\`ss -ltnp 'sport = :${ports.REDIS_PORT}'\` shows it) or choose another port with REDIS_PORT`,
    );
    expect(stderr).toContain(`port ${ports.TEMPORAL_UI_PORT} (for the Temporal Web UI) is already in use`);
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(stdout).not.toContain('ready:');
    // Nothing was started: no service wrote a log.
    expect(readdirSync(join(dataDir, 'logs'))).toEqual([]);
    expect(existsSync(join(dataDir, 'stack.json'))).toBe(false);
  });

  it('a missing --dotenv is a clear error', async () => {
    const { code, stderr } = await run(['--dotenv', '/nonexistent/.env']);
    expect(code).toBe(1);
    expect(stderr).toContain('--dotenv: /nonexistent/.env does not exist');
    expect(stderr).not.toMatch(STACK_TRACE);
  });
});

// An external Temporal over TLS: the dev server behind a TLS terminator (tools/harness) with a test CA.
// The launcher checks the connection the apps will make before it builds or starts anything.
describe('npm start against an external Temporal over TLS', SPAWN_TIMEOUT, () => {
  const API_KEY = 'launcher-test-key-0123456789';
  let pki: TestPki;
  let temporal: RunningTemporal;
  let mtls: RunningGrpcTlsProxy;
  let keyed: RunningGrpcTlsProxy;

  beforeAll(async () => {
    pki = createTestPki();
    temporal = await startTemporal();
    const server = { serverCert: pki.read(pki.serverCertPath), serverKey: pki.read(pki.serverKeyPath) };
    mtls = await startGrpcTlsProxy({
      upstream: temporal.address,
      ...server,
      clientCa: pki.read(pki.caCertPath),
    });
    keyed = await startGrpcTlsProxy({ upstream: temporal.address, ...server, apiKey: API_KEY });
  }, 120_000);

  afterAll(async () => {
    await mtls?.stop();
    await keyed?.stop();
    await temporal?.stop();
  });

  /** A refused start: exit 1, the message, no stack trace, and no service started (no log written). */
  async function refused(env: Record<string, string>, message: string): Promise<void> {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-cli-'));
    const ports = await freeStackPorts();
    const { code, stderr, stdout } = await run(['--data-dir', dataDir, '--dotenv', '/dev/null'], {
      ...ports,
      ...env,
    });
    expect(code).toBe(1);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(STACK_TRACE);
    expect(stdout).not.toContain('ready:');
    const logs = join(dataDir, 'logs');
    expect(existsSync(logs) ? readdirSync(logs) : []).toEqual([]);
  }

  it('connects with a client certificate, says how, before building anything', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stack-cli-'));
    const launcher = new ManagedProcess({
      name: 'launcher',
      command: process.execPath,
      args: [MAIN, '--data-dir', dataDir, '--dotenv', '/dev/null'],
      env: {
        ...process.env,
        ...(await freeStackPorts()),
        PHOTOMAKER_RUNWARE: 'emulator',
        TEMPORAL_ADDRESS: mtls.address,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
        TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCertPath,
        TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKeyPath,
      },
    });
    try {
      await launcher.waitForLine(
        new RegExp(`external Temporal at ${mtls.address} \\(TLS \\(configured CA\\), client certificate\\)`),
        30_000,
      );
      expect(mtls.counts.forwarded).toBeGreaterThan(0);
    } finally {
      await launcher.stop(15_000);
    }
  }, 60_000);

  it('refuses to start without the client certificate mTLS requires', async () => {
    await refused(
      { TEMPORAL_ADDRESS: mtls.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath },
      'set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH',
    );
  }, 30_000);

  it('refuses to start when the server certificate is not from the configured CA', async () => {
    await refused(
      {
        TEMPORAL_ADDRESS: keyed.address,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.otherCaCertPath,
        TEMPORAL_API_KEY: API_KEY,
      },
      'failed: check TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    );
  }, 30_000);

  it('refuses to start when the API key is refused', async () => {
    await refused(
      {
        TEMPORAL_ADDRESS: keyed.address,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.caCertPath,
        TEMPORAL_API_KEY: 'wrong-key-0123456789',
      },
      'refused the credentials: check TEMPORAL_API_KEY',
    );
  }, 30_000);

  it('refuses TLS settings without an external Temporal (its dev server speaks plaintext)', async () => {
    await refused(
      { TEMPORAL_API_KEY: API_KEY },
      'TEMPORAL_API_KEY: set, but no TEMPORAL_ADDRESS or TEMPORAL_PROFILE names the Temporal it is for',
    );
  });
});
