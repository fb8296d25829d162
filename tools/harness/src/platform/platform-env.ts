import { randomBytes } from 'node:crypto';
import { generateRedisPassword } from '../redis.ts';

// The environment each piece of a platform gets: the one place the harness names the apps' variables
// (each app's README). When the apps export zod env schemas, this is what switches to them.

/** Secrets shared by the worker and the API of one platform, fresh per platform. */
export interface PlatformSecrets {
  urlSecret: string;
  webhookSecret: string;
  /** PHOTOMAKER_PAYLOAD_KEYS: `<key id>:<base64 AES key>`. */
  payloadKeys: string;
  /** The one key the platform's emulator accepts, and the one the apps send it. */
  runwareKey: string;
  /** The platform's redis-server `requirepass` (in `redisUrl`), kept across its restarts. */
  redisPassword: string;
  /** Bearer token of the API's and the worker's /metrics. */
  metricsToken: string;
}

export function generateSecrets(keyId = 'platform'): PlatformSecrets {
  const token = (bytes: number) => randomBytes(bytes).toString('base64url');
  return {
    urlSecret: token(24),
    webhookSecret: token(24),
    payloadKeys: `${keyId}:${randomBytes(32).toString('base64')}`,
    runwareKey: `rw-platform-${token(18)}`,
    redisPassword: generateRedisPassword(),
    metricsToken: token(24),
  };
}

/** Where the pieces are, and what they share. Endpoints of pieces that do not run are left out. */
export interface PlatformWiring {
  temporalAddress?: string | undefined;
  redisUrl?: string | undefined;
  /** Seeds of a Redis Cluster (`host:port,...`); `redisUrl` then gives only scheme and credentials. */
  redisClusterNodes?: string | undefined;
  /** The emulator's origin (`http://127.0.0.1:<port>`); the apps get `<origin>/v1`. */
  emulatorUrl?: string | undefined;
  /** The API's origin, for links the worker hands out. */
  publicUrl?: string | undefined;
  blobDir: string;
  secrets: PlatformSecrets;
  logLevel: string;
  /** Hosts outbound URLs may point at although private (webhook receivers of tests and chaos). */
  allowPrivateUrls: string;
  /** The API key the platform's API accepts, for `tenant`; `rateLimited: false` for load drivers. */
  api: { tenant: string; key: string; rateLimited?: boolean };
}

/**
 * The API's limits lifted for load drivers and fuzzers (`rateLimited: false`): they send from one address
 * many sockets (2,000 subscribers) and, on purpose, many wrong keys, which would otherwise block that
 * address for their valid requests too.
 */
const UNLIMITED = {
  PHOTOMAKER_RATE_LIMIT: '0',
  PHOTOMAKER_MAX_CONNECTIONS_PER_IP: '0',
  PHOTOMAKER_AUTH_FAILURES_BEFORE_BLOCK: '0',
  PHOTOMAKER_ANONYMOUS_RATE_LIMIT: '0',
};

export interface PlatformEnvs {
  /** What the worker and every API share: give it to a worker or API a test starts itself. */
  shared: Record<string, string>;
  emulator: Record<string, string>;
  worker: Record<string, string>;
  api: Record<string, string>;
}

const optional = (name: string, value: string | undefined) => (value ? { [name]: value } : {});

export function platformEnv(wiring: PlatformWiring): PlatformEnvs {
  const shared: Record<string, string> = {
    ...optional('TEMPORAL_ADDRESS', wiring.temporalAddress),
    ...optional('REDIS_URL', wiring.redisUrl),
    ...optional('REDIS_CLUSTER_NODES', wiring.redisClusterNodes),
    ...optional('RUNWARE_BASE_URL', wiring.emulatorUrl && `${wiring.emulatorUrl}/v1`),
    RUNWARE_API_KEY: wiring.secrets.runwareKey,
    PHOTOMAKER_BLOB_DIR: wiring.blobDir,
    PHOTOMAKER_URL_SECRET: wiring.secrets.urlSecret,
    PHOTOMAKER_WEBHOOK_SECRET: wiring.secrets.webhookSecret,
    PHOTOMAKER_PAYLOAD_KEYS: wiring.secrets.payloadKeys,
    PHOTOMAKER_METRICS_TOKEN: wiring.secrets.metricsToken,
    PHOTOMAKER_ALLOW_PRIVATE_URLS: wiring.allowPrivateUrls,
    ...optional('PHOTOMAKER_PUBLIC_URL', wiring.publicUrl),
    // `info`: the ready lines are info lines, and it is what production runs with.
    LOG_LEVEL: wiring.logLevel,
  };
  return {
    shared,
    emulator: { LOG_LEVEL: wiring.logLevel, RUNWARE_EMULATOR_KEYS: wiring.secrets.runwareKey },
    // Port 0: several workers (tests, restarts) never fight over a metrics port.
    worker: { ...shared, WORKER_HTTP_PORT: '0', WORKER_CORE_METRICS_PORT: '0' },
    api: {
      ...shared,
      PHOTOMAKER_API_KEYS: `${wiring.api.tenant}:${wiring.api.key}`,
      ...(wiring.api.rateLimited === false ? UNLIMITED : {}),
    },
  };
}
