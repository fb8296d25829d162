import { join } from 'node:path';
import type { apiEnv } from '@photomaker/api/env';
import type { emulatorEnv } from '@photomaker/runware-emulator/env';
import type { workerEnv } from '@photomaker/worker/env';
import { SET_BY_LAUNCHER } from './app-envs.ts';
import type { StackConfig } from './config.ts';
import { launcherEnv } from './env.ts';
import type { GeneratedSecrets } from './secrets.ts';
import { DEMO_TENANT } from './secrets.ts';

export interface Endpoints {
  temporalAddress: string;
  temporalUiUrl?: string;
  redisUrl: string;
  runwareBaseUrl: string;
  apiUrl: string;
  workerUrl: string;
}

export interface AppEnvironments {
  emulator: Record<string, string>;
  worker: Record<string, string>;
  api: Record<string, string>;
  /** Whether the API runs with the launcher's demo key (the user set no keys). */
  demo: boolean;
}

/** Values for an app, named by its env schema: a name the app does not read does not compile. */
type AppVars<S extends { shape: object }> = Partial<Record<keyof S['shape'], string>>;

const MANAGED = new Set([...Object.keys(launcherEnv.shape), ...Object.values(SET_BY_LAUNCHER).flat()]);

/**
 * What each app's environment holds: everything the user set that the launcher does not manage
 * (PATH, app tuning variables from `.env`, ...), plus the values the launcher decided, named as in
 * each app's src/env.ts. Managed variables are never inherited as-is: `PORT` meant for the API must
 * not move the worker, and the real Runware key must not reach the emulator.
 */
export function appEnvironments(
  config: StackConfig,
  secrets: GeneratedSecrets,
  demoKey: string,
  endpoints: Endpoints,
): AppEnvironments {
  const inherited: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.env)) if (!MANAGED.has(key)) inherited[key] = value;

  const shared = sharedVars(config, secrets, endpoints);
  // Any configured tenant source (keys, a keys file, a tenants file) replaces the demo key.
  const demo =
    config.apiKeys === undefined && config.apiKeysFile === undefined && !config.env.PHOTOMAKER_TENANTS_FILE;
  const runwareKey = config.runware.mode === 'real' ? config.runware.apiKey : secrets.emulatorKey;
  const emulator = {
    LOG_LEVEL: config.logLevel,
    RUNWARE_EMULATOR_KEYS: secrets.emulatorKey,
  } satisfies AppVars<typeof emulatorEnv>;
  const worker = {
    ...shared,
    RUNWARE_BASE_URL: endpoints.runwareBaseUrl,
    RUNWARE_API_KEY: runwareKey,
    WORKER_HTTP_PORT: String(config.ports.workerHttp),
    WORKER_CORE_METRICS_PORT: String(config.ports.workerCoreMetrics),
    WORKER_CODEC_TOKEN: config.codecToken ?? secrets.codecToken,
    // The dev server's UI calls /codec from the browser; other origins stay refused.
    ...(endpoints.temporalUiUrl && !config.env.WORKER_CODEC_CORS_ORIGINS
      ? { WORKER_CODEC_CORS_ORIGINS: uiOrigins(endpoints.temporalUiUrl) }
      : {}),
  } satisfies AppVars<typeof workerEnv>;
  const api = {
    ...shared,
    PORT: String(config.ports.api),
    ...(demo ? { PHOTOMAKER_API_KEYS: `${DEMO_TENANT}:${demoKey}` } : {}),
    ...(config.apiKeys ? { PHOTOMAKER_API_KEYS: config.apiKeys } : {}),
    ...(config.apiKeysFile ? { PHOTOMAKER_API_KEYS_FILE: config.apiKeysFile } : {}),
    PHOTOMAKER_WEB_DIR: join(config.rootDir, 'apps', 'web', 'dist'),
    // Estimates ask Runware's dry run for prices: the same endpoint and key as the worker.
    RUNWARE_BASE_URL: endpoints.runwareBaseUrl,
    RUNWARE_API_KEY: runwareKey,
    ...(demo ? { PHOTOMAKER_WEB_DEMO_KEY: demoKey } : {}),
    ...(endpoints.temporalUiUrl ? { PHOTOMAKER_TEMPORAL_UI_URL: endpoints.temporalUiUrl } : {}),
  } satisfies AppVars<typeof apiEnv>;
  return {
    emulator: { ...inherited, ...emulator },
    worker: { ...inherited, ...worker },
    api: { ...inherited, ...api },
    demo,
  };
}

/** The UI's origin, also as `localhost` (how a browser on this machine may name the same UI). */
function uiOrigins(uiUrl: string): string {
  const url = new URL(uiUrl);
  return [url.origin, `${url.protocol}//localhost${url.port ? `:${url.port}` : ''}`].join(',');
}

/** What the worker and the API both read, with the same values (Temporal, Redis, blobs, secrets). */
function sharedVars(config: StackConfig, secrets: GeneratedSecrets, endpoints: Endpoints) {
  return {
    LOG_LEVEL: config.logLevel,
    TEMPORAL_ADDRESS: endpoints.temporalAddress,
    TEMPORAL_NAMESPACE: config.namespace,
    REDIS_URL: endpoints.redisUrl,
    PHOTOMAKER_BLOB_DIR: config.blobDir,
    PHOTOMAKER_PAYLOAD_KEYS: config.payloadKeys ?? secrets.payloadKeys,
    PHOTOMAKER_URL_SECRET: config.urlSecret ?? secrets.urlSecret,
    PHOTOMAKER_METRICS_TOKEN: config.metricsToken ?? secrets.metricsToken,
    // The worker signs with the tenants' webhook secrets, the API tells each tenant its own.
    PHOTOMAKER_WEBHOOK_SECRET: config.webhookSecret ?? secrets.webhookSecret,
    PHOTOMAKER_PUBLIC_URL: config.publicUrl,
    ...(config.env.PHOTOMAKER_ALLOW_PRIVATE_URLS
      ? { PHOTOMAKER_ALLOW_PRIVATE_URLS: config.env.PHOTOMAKER_ALLOW_PRIVATE_URLS }
      : {}),
  } satisfies Partial<Record<keyof typeof workerEnv.shape & keyof typeof apiEnv.shape, string>>;
}
