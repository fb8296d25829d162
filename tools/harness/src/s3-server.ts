import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { versitygw } from './binaries.ts';
import { ManagedProcess, retryOnEarlyExit } from './managed-process.ts';
import { getFreePort } from './ports.ts';

export interface S3ServerOptions {
  /** The directory served as S3 (each top-level folder a bucket); a temporary one, removed on stop, when omitted. */
  dir?: string;
  /** Buckets created before the server starts (folders of `dir`). */
  buckets?: string[];
  port?: number;
  onLine?: (line: string) => void;
}

export interface RunningS3Server {
  /** `http://127.0.0.1:<port>`: what clients use as AWS_ENDPOINT_URL_S3 (path-style). */
  endpoint: string;
  port: number;
  dir: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The standard AWS SDK variables (and path style) that point a process at this server. */
  env: Record<string, string>;
  process: ManagedProcess;
  /** Starts it again on the same port and directory (after `kill`), as a restarted S3 service. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * versitygw serving a posix directory as S3 on 127.0.0.1 and a free port, with fresh test credentials
 * (given in its environment, never on its command line where `ps` shows them). Objects are files of the
 * directory, private to this user (0600 in 0700 folders), as the local blob store's.
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<RunningS3Server> {
  // S3 answers a bare 400 to requests on a badly named bucket: say so here instead.
  const badName = options.buckets?.find((bucket) => !BUCKET_NAME.test(bucket));
  if (badName !== undefined) throw new Error(`'${badName}' is not an S3 bucket name (3-63 of a-z 0-9 . -)`);
  const owned = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'photomaker-s3-')));
  for (const bucket of options.buckets ?? [])
    await mkdir(join(dir, bucket), { recursive: true, mode: 0o700 });
  const accessKeyId = `test${randomBytes(8).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('hex');
  const launch = (port: number) =>
    launchVersitygw({
      dir,
      port,
      accessKeyId,
      secretAccessKey,
      ...(options.onLine ? { onLine: options.onLine } : {}),
    });
  let port = options.port ?? 0;
  let child = await retryOnEarlyExit(async () => {
    port = options.port ?? (await getFreePort());
    return launch(port);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    dir,
    region: REGION,
    accessKeyId,
    secretAccessKey,
    env: {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_S3: endpoint,
      PHOTOMAKER_S3_FORCE_PATH_STYLE: 'true',
    },
    get process() {
      return child;
    },
    async restart() {
      await child.stop();
      child = await launch(port);
    },
    async stop() {
      await child.stop();
      if (owned) await rm(dir, { recursive: true, force: true });
    },
  };
}

interface LaunchOptions {
  dir: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  onLine?: (line: string) => void;
}

async function launchVersitygw(options: LaunchOptions): Promise<ManagedProcess> {
  const child = new ManagedProcess({
    name: 'versitygw',
    command: versitygw(),
    args: [
      '--port',
      `127.0.0.1:${options.port}`,
      '--region',
      REGION,
      '--quiet',
      'posix',
      '--dir-perms',
      '0700',
      '--file-perms',
      '0600',
      options.dir,
    ],
    env: {
      ...process.env,
      ROOT_ACCESS_KEY_ID: options.accessKeyId,
      ROOT_SECRET_ACCESS_KEY: options.secretAccessKey,
    },
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  await child.readyOrKill(child.waitUntil(() => tcpOpen(options.port), 30_000, 50));
  return child;
}

/** The server accepts connections (versitygw listens only once its backend is ready). */
function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });
}
