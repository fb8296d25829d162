import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type RunningNodeApp,
  type RunningRedis,
  type RunningTemporal,
  startNodeApp,
  startRedis,
  startTemporal,
} from '@photomaker/harness';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';
import type { TestProject } from 'vitest/node';

/** What every test file gets: ONE real stack (Temporal dev server, redis, emulator, worker) per run. */
export interface Stack {
  temporalAddress: string;
  redisUrl: string;
  runwareBaseUrl: string;
  emulatorUrl: string;
  blobDir: string;
  /** Env shared by the worker and every API we start (same secrets, same blob dir, same codec keys). */
  env: Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: Stack;
  }
}

let temporal: RunningTemporal | undefined;
let redis: RunningRedis | undefined;
let emulator: RunningNodeApp | undefined;
let worker: RunningNodeApp | undefined;
let dataDir: string | undefined;

const quiet = process.env.API_TEST_VERBOSE ? undefined : () => undefined;

export async function setup(project: TestProject): Promise<void> {
  dataDir = mkdtempSync(join(tmpdir(), 'photomaker-api-test-'));
  [temporal, redis, emulator] = await Promise.all([
    startTemporal({ searchAttributes: SEARCH_ATTRIBUTE_TYPES }),
    startRedis(),
    startNodeApp({
      name: 'runware-emulator',
      entry: 'apps/runware-emulator/src/main.ts',
      args: ['--port', '0', '--latency', 'none'],
      ...(quiet ? {} : { onLine: (line: string) => console.warn(`[emulator] ${line}`) }),
    }),
  ]);
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: temporal.address,
    REDIS_URL: redis.url,
    RUNWARE_BASE_URL: `${emulator.url}/v1`,
    RUNWARE_API_KEY: 'rw-emulator-dev-key',
    PHOTOMAKER_BLOB_DIR: join(dataDir, 'blobs'),
    PHOTOMAKER_URL_SECRET: randomBytes(24).toString('base64url'),
    PHOTOMAKER_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
    PHOTOMAKER_PAYLOAD_KEYS: `test:${randomBytes(32).toString('base64')}`,
    // Webhook receivers in tests listen on loopback.
    PHOTOMAKER_ALLOW_PRIVATE_URLS: '127.0.0.1',
  };
  worker = await startNodeApp({
    name: 'worker',
    entry: 'apps/worker/src/main.ts',
    env: {
      ...env,
      WORKER_HTTP_PORT: '0',
      WORKER_CORE_METRICS_PORT: '0',
      WORKER_POLL_INITIAL: '20',
      WORKER_POLL_MAX: '100',
    },
    readyTimeoutMs: 120_000,
    ...(quiet ? {} : { onLine: (line: string) => console.warn(`[worker] ${line}`) }),
  });
  project.provide('stack', {
    temporalAddress: temporal.address,
    redisUrl: redis.url,
    runwareBaseUrl: `${emulator.url}/v1`,
    emulatorUrl: emulator.url ?? '',
    blobDir: env.PHOTOMAKER_BLOB_DIR ?? '',
    env,
  });
}

export async function teardown(): Promise<void> {
  await Promise.allSettled([worker?.stop(), emulator?.stop()]);
  await Promise.allSettled([temporal?.stop(), redis?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
