import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisServer } from './binaries.ts';
import { ManagedProcess, retryOnEarlyExit } from './managed-process.ts';
import { assertPortFree, getFreePort } from './ports.ts';

export interface RedisOptions {
  port?: number;
  /** Data directory (AOF persistence); none (memory only) when omitted. */
  dir?: string;
  /** `requirepass`; generated when omitted (clients get it in `url`). */
  password?: string;
  onLine?: (line: string) => void;
}

export interface RunningRedis {
  /** `redis://:<password>@127.0.0.1:<port>`: what clients connect with. */
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
  writeFileSync(file, `requirepass ${password}\n`, { mode: 0o600 });
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
    '--port',
    String(port),
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
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
    await child.readyOrKill(child.waitUntil(() => redisPing(port, '127.0.0.1', password), 30_000, 50));
  } finally {
    // Redis read its config at start: a temporary copy of the password need not stay on disk.
    auth.cleanup();
  }
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    password,
    process: child,
    stop: () => child.stop(),
  };
}

/** PING over a raw socket (AUTH first with a password): no client library needed to know Redis is up. */
export function redisPing(port: number, host = '127.0.0.1', password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(`${password ? `AUTH ${password}\r\n` : ''}PING\r\n`));
    let reply = '';
    socket.on('data', (data) => {
      reply += data.toString();
      const lines = reply.split('\r\n').filter((line) => line.length > 0);
      if (lines.some((line) => line.startsWith('-'))) done(false);
      else if (lines.includes('+PONG')) done(true);
    });
  });
}
