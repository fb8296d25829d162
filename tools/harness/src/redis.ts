import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { redisServer } from './binaries.ts';
import { ManagedProcess, retryOnEarlyExit } from './managed-process.ts';
import { assertPortFree, getFreePort } from './ports.ts';

export interface RedisOptions {
  port?: number;
  /** Data directory (AOF persistence); none (memory only) when omitted. */
  dir?: string;
  onLine?: (line: string) => void;
}

export interface RunningRedis {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Our own redis-server on 127.0.0.1 and a project port: never the system service. */
export async function startRedis(options: RedisOptions = {}): Promise<RunningRedis> {
  if (options.port) await assertPortFree(options.port, 'Redis');
  // A port picked free here can be taken before redis binds it: such a start is retried on another.
  return retryOnEarlyExit(async () => launchRedis(options, options.port ?? (await getFreePort())));
}

async function launchRedis(options: RedisOptions, port: number): Promise<RunningRedis> {
  const args = [
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
    mkdirSync(options.dir, { recursive: true });
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
  await child.readyOrKill(child.waitUntil(() => redisPing(port), 30_000, 50));
  return { url: `redis://127.0.0.1:${port}`, port, process: child, stop: () => child.stop() };
}

/** PING over a raw socket: no client library needed to know Redis is up. */
export function redisPing(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
