import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import { inject } from 'vitest';
import {
  type Harness,
  PUBLIC_URL,
  RUNWARE_KEY,
  TEST_PAYLOAD_KEYS,
  URL_SECRET,
  WEBHOOK_SECRET,
} from './harness.ts';

/** The line `apps/worker/src/main.ts` prints once its workers poll. */
export const WORKER_READY = /worker ready: listening on (http:\/\/[^\s"',]+)/;

/** The environment of a worker process on the harness's task queue, blob dir and secrets. */
export function workerProcessEnv(
  h: Harness,
  runwareUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    REDIS_URL: inject('redisUrl'),
    RUNWARE_BASE_URL: `${runwareUrl}/v1`,
    RUNWARE_API_KEY: RUNWARE_KEY,
    PHOTOMAKER_BLOB_DIR: h.blobDir,
    PHOTOMAKER_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    PHOTOMAKER_WEBHOOK_SECRET: WEBHOOK_SECRET,
    PHOTOMAKER_URL_SECRET: URL_SECRET,
    PHOTOMAKER_PUBLIC_URL: PUBLIC_URL,
    PHOTOMAKER_ALLOW_PRIVATE_URLS: '127.0.0.1/32',
    WORKER_HTTP_PORT: '0',
    WORKER_CORE_METRICS_PORT: '0',
    WORKER_WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    WORKER_POLL_INITIAL: '50ms',
    WORKER_POLL_MAX: '400ms',
    WORKER_SHUTDOWN_GRACE: '10s',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/** `apps/worker/src/main.ts` as its own process, exactly as production starts it. */
export function spawnWorkerProcess(
  name: string,
  env: Record<string, string>,
  onLine?: (line: string) => void,
): Promise<RunningNodeApp> {
  return startNodeApp({
    name,
    entry: 'apps/worker/src/main.ts',
    readyPattern: WORKER_READY,
    ...(onLine ? { onLine } : {}),
    env,
  });
}
