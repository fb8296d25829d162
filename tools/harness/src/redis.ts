import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { redisServer } from './binaries.ts';
import { ManagedProcess, retryOnEarlyExit } from './managed-process.ts';
import { assertPortFree, getFreePort } from './ports.ts';

export interface RedisOptions {
  port?: number;
  /** Data directory (AOF persistence); none (memory only) when omitted. */
  dir?: string;
  /** `requirepass`; generated when omitted (clients get it in `url`). */
  password?: string;
  /** Serve TLS only (`rediss://`), with these files; clients must trust `caFile`. */
  tls?: RedisTlsFiles;
  /** More redis-server flags (e.g. the cluster ones `startRedisCluster` passes). */
  extraArgs?: string[];
  onLine?: (line: string) => void;
}

/** PEM files of a TLS redis-server (see `makeTestCa`). */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface RunningRedis {
  /** `redis://:<password>@127.0.0.1:<port>` (`rediss://` with `tls`): what clients connect with. */
  url: string;
  port: number;
  password: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Our own redis-server on 127.0.0.1 and a project port: never the system service. */
export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  if (options.port) await assertPortFree(options.port, 'Redis');
  // A port picked free here can be taken before redis binds it: such a start is retried on another.
  return retryOnEarlyExit(async () => launchRedis(options, options.port ?? (await getFreePort())));
}

/** A fresh `requirepass` value: hex, so it needs no escaping in a URL or a config file. */
export function generateRedisPassword(): string {
  return randomBytes(24).toString('hex');
}

/**
 * The password goes in a config file (0600, in a 0700 directory), never on the command line, where any
 * local user could read it with `ps`. Returns the file and how to remove it (temporary when no `dir`).
 */
function writePasswordConfig(password: string, dir: string | undefined): { file: string; cleanup(): void } {
  const home = dir ?? mkdtempSync(join(tmpdir(), 'photomaker-redis-'));
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = join(home, 'redis-auth.conf');
  // masterauth: a replica (in a cluster) authenticates to its master with the same password.
  writeFileSync(file, `requirepass ${password}\nmasterauth ${password}\n`, { mode: 0o600 });
  return { file, cleanup: () => (dir ? undefined : rmSync(home, { recursive: true, force: true })) };
}

async function launchRedis(options: RedisOptions, port: number): Promise<RunningRedis> {
  const password = options.password ?? generateRedisPassword();
  const auth = writePasswordConfig(password, options.dir);
  const args = [
    // A config file must come first; the flags after it add to it.
    auth.file,
    '--bind',
    '127.0.0.1',
    ...listenArgs(port, options.tls),
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    ...(options.extraArgs ?? []),
  ];
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    args.push('--dir', options.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '');
  } else {
    args.push('--save', '', '--appendonly', 'no');
  }
  const child = new ManagedProcess({
    name: 'redis-server',
    command: redisServer(),
    args,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  try {
    const tls = options.tls ? { ca: readFileSync(options.tls.caFile) } : undefined;
    await child.readyOrKill(child.waitUntil(() => redisPing(port, '127.0.0.1', password, tls), 30_000, 50));
  } finally {
    // Redis read its config at start: a temporary copy of the password need not stay on disk.
    auth.cleanup();
  }
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://:${password}@127.0.0.1:${port}`,
    port,
    password,
    process: child,
    stop: () => child.stop(),
  };
}

/** With TLS the plain port is closed (`--port 0`): every client speaks TLS. */
function listenArgs(port: number, tls: RedisTlsFiles | undefined): string[] {
  if (!tls) return ['--port', String(port)];
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    '--tls-cert-file',
    tls.certFile,
    '--tls-key-file',
    tls.keyFile,
    '--tls-ca-cert-file',
    tls.caFile,
    // Server TLS only: clients prove who they are with the password, not a certificate.
    '--tls-auth-clients',
    'no',
  ];
}

/**
 * PING over a raw socket (AUTH first with a password; over TLS trusting `tls.ca`): no client library
 * needed to know Redis is up.
 */
export function redisPing(
  port: number,
  host = '127.0.0.1',
  password?: string,
  tls?: { ca: Buffer },
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls ? connectTls({ port, host, ca: tls.ca }) : connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once(tls ? 'secureConnect' : 'connect', () =>
      socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`),
    );
    let reply = '';
    socket.on('data', (data) => {
      reply += data.toString();
      const lines = reply.split('\r\n').filter((line) => line.length > 0);
      if (lines.some((line) => line.startsWith('-'))) done(false);
      else if (lines.includes('+PONG')) done(true);
    });
  });
}
