import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it, vi } from 'vitest';
import {
  assertPortFree,
  ExitedBeforeReadyError,
  getFreePort,
  ManagedProcess,
  PortInUseError,
  redisPing,
  repoRoot,
  retryOnEarlyExit,
  startNodeApp,
  startRedis,
  startTemporal,
} from '../src/index.ts';

describe('real services', () => {
  it('starts redis-server on a free loopback port, with a generated password, and stops it', async () => {
    const redis = await startRedis();
    expect(redis.password).toMatch(/^[0-9a-f]{48}$/);
    expect(redis.url).toBe(`redis://:${redis.password}@127.0.0.1:${redis.port}`);
    expect(await redisPing(redis.port, '127.0.0.1', redis.password)).toBe(true);
    // requirepass: without the password (or with another) Redis answers nothing but NOAUTH.
    expect(await redisPing(redis.port)).toBe(false);
    expect(await redisPing(redis.port, '127.0.0.1', 'wrong')).toBe(false);
    // The password is never on the command line, where `ps` shows it to every local user.
    expect(redis.process.child.spawnargs.join(' ')).not.toContain(redis.password);
    await redis.stop();
    expect(await redisPing(redis.port, '127.0.0.1', redis.password)).toBe(false);
  });

  it('starts the Temporal dev server with search attributes registered', async () => {
    const temporal = await startTemporal({ searchAttributes: { PhotoMakerProbe: 'Keyword' } });
    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection });
      const { keys } = await client.connection.operatorService
        .listSearchAttributes({ namespace: 'default' })
        .then((r) => ({
          keys: Object.keys(r.customAttributes ?? {}),
        }));
      expect(keys).toContain('PhotoMakerProbe');
    } finally {
      await connection.close();
      await temporal.stop();
    }
    expect(temporal.process.running).toBe(false);
  });
});

describe('ports', () => {
  it('reports a busy port as a PortInUseError with a clear message', async () => {
    const port = await getFreePort();
    const server = createServer().listen(port, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      await expect(assertPortFree(port, 'the API')).rejects.toThrow(PortInUseError);
      await expect(assertPortFree(port, 'the API')).rejects.toThrow(
        `port ${port} (for the API) is already in use`,
      );
    } finally {
      server.close();
    }
  });
});

describe('readiness failures', () => {
  it('kills an app that never prints its ready line instead of leaving it running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'silent-'));
    const entry = join(dir, 'silent.mjs');
    await writeFile(entry, `console.log('pid ' + process.pid); setInterval(() => {}, 1000);`);
    try {
      const failure = await startNodeApp({
        name: 'silent',
        entry: relative(repoRoot, entry),
        readyTimeoutMs: 500,
      }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(failure).toContain('no line matching');
      const pid = Number(failure?.match(/pid (\d+)/)?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a process that owns children', () => {
  it('takes them down when a SIGTERM ends it (no handler of its own)', async () => {
    const owner = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/owns-a-child.ts', import.meta.url))],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const [line] = (await once(createInterface({ input: owner.stdout }), 'line')) as [string];
    const childPid = Number(line.replace('child ', ''));
    expect(() => process.kill(childPid, 0)).not.toThrow();
    owner.kill('SIGTERM');
    const [code] = await once(owner, 'exit');
    expect(code).toBe(143);
    await vi.waitFor(() => expect(() => process.kill(childPid, 0)).toThrow(), { timeout: 5_000 });
  });
});

describe('retryOnEarlyExit', () => {
  it('reports a child that dies before ready as ExitedBeforeReadyError', async () => {
    const child = new ManagedProcess({
      name: 'dies',
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
    });
    await expect(child.waitUntil(async () => false)).rejects.toBeInstanceOf(ExitedBeforeReadyError);
  });

  it('retries only that error, and at most N attempts in all', async () => {
    let calls = 0;
    const flaky = () => {
      calls++;
      return calls < 3
        ? Promise.reject(new ExitedBeforeReadyError('lost a port race'))
        : Promise.resolve('up');
    };
    expect(await retryOnEarlyExit(flaky, 3)).toBe('up');
    expect(calls).toBe(3);

    calls = 0;
    const misconfigured = () => {
      calls++;
      return Promise.reject(new Error('bad flag'));
    };
    await expect(retryOnEarlyExit(misconfigured, 3)).rejects.toThrow('bad flag');
    expect(calls).toBe(1);

    calls = 0;
    const busy = () => {
      calls++;
      return Promise.reject(new ExitedBeforeReadyError('busy'));
    };
    await expect(retryOnEarlyExit(busy, 2)).rejects.toBeInstanceOf(ExitedBeforeReadyError);
    expect(calls).toBe(2);
  });
});
