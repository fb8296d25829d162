import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  startApiApp,
  startEmulatorApp,
  startRedis,
  startTemporal,
  startWorkerApp,
} from '@photomaker/harness';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';
import type { StackConfig } from './config.ts';
import type { AppEnvironments } from './stack-env.ts';
import type { ServiceSpec } from './supervisor.ts';

/**
 * The Temporal dev server with its Web UI, its data in `<data dir>/temporal/`, our search attributes
 * registered, and the worker's codec endpoint (with its token) as the UI's.
 */
export function temporalService(config: StackConfig, envs: AppEnvironments): ServiceSpec {
  const port = config.ports.temporal as number;
  const uiPort = config.ports.temporalUi as number;
  return {
    name: 'temporal',
    describe: `Temporal dev server on :${port}, Web UI on :${uiPort}`,
    summary: () => `127.0.0.1:${port}, UI http://127.0.0.1:${uiPort}`,
    stopGraceMs: 10_000,
    start: (onLine) => {
      mkdirSync(join(config.dataDir, 'temporal'), { recursive: true });
      return startTemporal({
        port,
        uiPort,
        dbFile: join(config.dataDir, 'temporal', 'temporal.db'),
        searchAttributes: SEARCH_ATTRIBUTE_TYPES,
        // The UI can send no token header of its own: the token is part of the endpoint URL it is given.
        codecEndpoint: `http://127.0.0.1:${config.ports.workerHttp}/codec/${envs.worker.WORKER_CODEC_TOKEN}`,
        namespace: config.namespace,
        onLine,
        readyTimeoutMs: 120_000,
      });
    },
  };
}

/**
 * Our own redis-server on the project port with AOF persistence under `<data dir>/redis/`, behind the
 * generated `requirepass` (secrets.json): the apps get it in REDIS_URL.
 */
export function redisService(config: StackConfig, password: string): ServiceSpec {
  const port = config.ports.redis as number;
  return {
    name: 'redis',
    describe: `redis-server on :${port}`,
    summary: () => `redis://127.0.0.1:${port}`,
    stopGraceMs: 10_000,
    start: (onLine) => startRedis({ port, dir: join(config.dataDir, 'redis'), password, onLine }),
  };
}

export function emulatorService(config: StackConfig, envs: AppEnvironments): ServiceSpec {
  const port = config.ports.emulator as number;
  const latency = config.runware.mode === 'emulator' ? config.runware.latency : 'none';
  return {
    name: 'emulator',
    describe: `Runware emulator on :${port} (latency: ${latency})`,
    summary: (s) => `${s.url ?? `http://127.0.0.1:${port}`}/v1 (latency: ${latency})`,
    stopGraceMs: 5_000,
    start: (onLine) => startEmulatorApp({ port, latency, env: envs.emulator, onLine }),
  };
}

export function workerService(config: StackConfig, envs: AppEnvironments): ServiceSpec {
  return {
    name: 'worker',
    describe: 'Temporal worker (bundling workflows)',
    summary: (s) =>
      `polling task queue "photomaker"; metrics ${s.url ?? `http://127.0.0.1:${config.ports.workerHttp}`}/metrics`,
    // The worker drains in-flight activities for WORKER_SHUTDOWN_GRACE (30 s by default) after SIGTERM;
    // SIGKILL only after that plus a margin, or the drain it promises would be cut short.
    stopGraceMs: 45_000,
    start: (onLine) => startWorkerApp({ env: envs.worker, onLine }),
  };
}

export function apiService(config: StackConfig, envs: AppEnvironments): ServiceSpec {
  return {
    name: 'api',
    describe: `GraphQL API + web app on :${config.ports.api}`,
    summary: (s) => `${s.url ?? `http://127.0.0.1:${config.ports.api}`}/graphql`,
    stopGraceMs: 10_000,
    start: (onLine) => startApiApp({ port: config.ports.api, env: envs.api, onLine }),
  };
}
