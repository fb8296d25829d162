import { randomUUID } from 'node:crypto';
import { type generateSecrets, platformEnv } from '@photomaker/harness';
import { Replica } from './replica.ts';
import { BUCKET, type Services } from './services.ts';

/** The tenant and key of the run's one client. */
export const TENANT = 'cluster';

export interface Topology {
  apis: Replica[];
  workers: Replica[];
  all: Replica[];
  apiKey: string;
  /** Lines the replicas logged about a failed S3 call (S3BlobStoreError): did the S3 kill bite? */
  s3Failures: () => number;
}

const S3_FAILURE = /blob store S3 \w+ of s3:\/\//;

/**
 * API i runs on node i, worker j on node j: with 2 APIs and 3 workers, nodes 1 and 2 hold an API and a
 * worker each (a node kill takes both), node 3 a worker alone. Every replica gets the same configuration
 * (the services' addresses and the shared secrets) and directories of its own.
 */
export async function startReplicas(options: {
  root: string;
  services: Services;
  secrets: ReturnType<typeof generateSecrets>;
  apis: number;
  workers: number;
  onLine?: (replica: string, line: string) => void;
}): Promise<Topology> {
  const { services, secrets } = options;
  let s3Failures = 0;
  const onLine = (replica: string, line: string) => {
    if (S3_FAILURE.test(line)) s3Failures += 1;
    options.onLine?.(replica, line);
  };
  const apiKey = `${TENANT}-${randomUUID()}`;
  const wiring = (publicUrl?: string) =>
    platformEnv({
      temporalAddress: services.temporal.address,
      redisUrl: services.redis.url,
      redisClusterNodes: services.redis.seeds,
      emulatorUrl: services.emulatorUrl,
      publicUrl,
      // Each replica overrides it with a directory of its own; with S3 nothing should land there.
      blobDir: '/nonexistent',
      secrets,
      logLevel: 'info',
      allowPrivateUrls: '127.0.0.1',
      api: { tenant: TENANT, key: apiKey, rateLimited: false },
    });
  const s3 = { ...services.s3.env, PHOTOMAKER_BLOB_STORE: `s3://${BUCKET}/cluster` };
  const make = (kind: 'api' | 'worker', i: number, env: Record<string, string>) =>
    new Replica({
      root: options.root,
      name: `${kind}${i}`,
      kind,
      node: i,
      env,
      onLine: (line: string) => onLine(`${kind}${i}`, line),
    });
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const apis = range(options.apis).map((i) => make('api', i, { ...wiring().api, ...s3 }));
  await Promise.all(apis.map((r) => r.start()));
  const workerEnv = {
    ...wiring(apis[0]?.url).worker,
    ...s3,
    // A drained worker hands its in-flight activities back after this (Temporal retries them elsewhere).
    WORKER_SHUTDOWN_GRACE: '10s',
    WORKER_POLL_INITIAL: '50',
    WORKER_POLL_MAX: '300',
  };
  const workers = range(options.workers).map((i) => make('worker', i, workerEnv));
  await Promise.all(workers.map((r) => r.start()));
  return { apis, workers, all: [...apis, ...workers], apiKey, s3Failures: () => s3Failures };
}
