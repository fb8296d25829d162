import { readFileSync } from 'node:fs';

/** Everything the API reads from its environment, parsed once, with documented defaults. */
export interface ApiConfig {
  port: number;
  host: string;
  /** `tenant:key` pairs from env and/or file (see auth/api-keys.ts). */
  apiKeysSpec: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** `PHOTOMAKER_PAYLOAD_KEYS` (the worker's keys: workflow payloads are encrypted with them). */
  payloadKeys: string | undefined;
  redisUrl: string;
  blobDir: string | undefined;
  /** PHOTOMAKER_PUBLIC_URL; unset: the URL the server listens on. */
  publicUrl: string | undefined;
  urlSecret: string;
  /** `PHOTOMAKER_ALLOW_PRIVATE_URLS` (SSRF allow-list). */
  allowPrivateUrls: string;
  webDir: string | undefined;
  webDemoKey: string | undefined;
  temporalUiUrl: string | undefined;
  /**
   * `PHOTOMAKER_CORS_ORIGINS`: browser origins allowed to call /graphql, /v1 and /images from another
   * origin (`*` for any). Empty: same origin only (the bundled web app needs nothing).
   */
  corsOrigins: string[];
  limits: ApiLimits;
  /** Warnings to log at start (dev secrets in use). */
  warnings: string[];
}

export interface ApiLimits {
  /** Max JSON body of /graphql and /v1 (bytes). */
  bodyBytes: number;
  /** Max decoded size of one input/reference image (bytes). */
  imageBytes: number;
  /** Max GraphQL selection depth. */
  queryDepth: number;
  /** Max GraphQL query complexity (fields weigh 1, lists multiply by `first`). */
  queryComplexity: number;
  /** Max aliases in one GraphQL operation. */
  queryAliases: number;
  /** Requests (HTTP calls, WS subscriptions) per API key per window; 0 disables. */
  ratePoints: number;
  rateWindowSeconds: number;
  /** How long SYNC GraphQL / sync /v1 requests wait for the job (ms). */
  syncWaitMs: number;
  /** Timeout for downloading a URL input image (ms). */
  imageFetchMs: number;
  /** Max subscriptions per WebSocket connection. */
  subscriptionsPerSocket: number;
  /** Max `first` in `jobs`. */
  pageSize: number;
  /**
   * How often a job with live subscribers is checked for having ended without a terminal event
   * (terminated by an operator, timed out) (ms).
   */
  subscriptionRecheckMs: number;
  /** An unfinished job older than this is checked against Temporal when read (ms). */
  reconcileAfterMs: number;
}

export const DEV_API_KEYS = 'dev:photomaker-dev-key';
export const DEV_URL_SECRET = 'photomaker-dev-url-secret';

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiLimits {
  return {
    bodyBytes: int(env, 'PHOTOMAKER_MAX_BODY_BYTES', 48 * 1024 * 1024),
    imageBytes: int(env, 'PHOTOMAKER_MAX_IMAGE_BYTES', 8 * 1024 * 1024),
    queryDepth: int(env, 'PHOTOMAKER_MAX_QUERY_DEPTH', 10),
    queryComplexity: int(env, 'PHOTOMAKER_MAX_QUERY_COMPLEXITY', 2000),
    queryAliases: int(env, 'PHOTOMAKER_MAX_QUERY_ALIASES', 15),
    ratePoints: int(env, 'PHOTOMAKER_RATE_LIMIT', 600),
    rateWindowSeconds: int(env, 'PHOTOMAKER_RATE_LIMIT_WINDOW_SECONDS', 60),
    syncWaitMs: int(env, 'PHOTOMAKER_SYNC_WAIT_MS', 120_000),
    imageFetchMs: int(env, 'PHOTOMAKER_IMAGE_FETCH_TIMEOUT_MS', 15_000),
    subscriptionsPerSocket: int(env, 'PHOTOMAKER_MAX_SUBSCRIPTIONS_PER_SOCKET', 100),
    pageSize: int(env, 'PHOTOMAKER_MAX_PAGE_SIZE', 100),
    subscriptionRecheckMs: int(env, 'PHOTOMAKER_SUBSCRIPTION_RECHECK_MS', 30_000),
    reconcileAfterMs: int(env, 'PHOTOMAKER_RECONCILE_AFTER_MS', 10_000),
  };
}

/** `https://app.example.com,http://localhost:5173` or `*`; each entry an origin (scheme://host[:port]). */
export function corsOriginsFrom(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (entry === '*') continue;
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== entry.replace(/\/+$/, '') || !/^https?:/.test(entry)) {
      throw new Error(
        `PHOTOMAKER_CORS_ORIGINS: '${entry}' is not an origin (scheme://host[:port], no path) or '*'`,
      );
    }
  }
  return entries.map((entry) => entry.replace(/\/+$/, ''));
}

function portFrom(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const index = argv.indexOf('--port');
  const inline = argv.find((arg) => arg.startsWith('--port='))?.slice('--port='.length);
  const raw = inline ?? (index >= 0 ? argv[index + 1] : undefined) ?? env.PORT ?? '4000';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port '${raw}'`);
  return port;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): ApiConfig {
  const warnings: string[] = [];
  const keyParts: string[] = [];
  if (env.PHOTOMAKER_API_KEYS) keyParts.push(env.PHOTOMAKER_API_KEYS);
  if (env.PHOTOMAKER_API_KEYS_FILE) keyParts.push(readFileSync(env.PHOTOMAKER_API_KEYS_FILE, 'utf8'));
  if (keyParts.length === 0) {
    keyParts.push(DEV_API_KEYS);
    warnings.push(
      `no PHOTOMAKER_API_KEYS / PHOTOMAKER_API_KEYS_FILE: using the built-in dev key of tenant 'dev' (never in production)`,
    );
  }
  const urlSecret = env.PHOTOMAKER_URL_SECRET || DEV_URL_SECRET;
  if (!env.PHOTOMAKER_URL_SECRET)
    warnings.push('PHOTOMAKER_URL_SECRET unset: image URLs are signed with a dev secret');
  return {
    port: portFrom(argv, env),
    host: env.HOST || '127.0.0.1',
    apiKeysSpec: keyParts.join('\n'),
    temporalAddress: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    temporalNamespace: env.TEMPORAL_NAMESPACE || 'default',
    payloadKeys: env.PHOTOMAKER_PAYLOAD_KEYS || undefined,
    redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6380',
    blobDir: env.PHOTOMAKER_BLOB_DIR || undefined,
    publicUrl: env.PHOTOMAKER_PUBLIC_URL ? env.PHOTOMAKER_PUBLIC_URL.replace(/\/+$/, '') : undefined,
    urlSecret,
    allowPrivateUrls: env.PHOTOMAKER_ALLOW_PRIVATE_URLS ?? '',
    webDir: env.PHOTOMAKER_WEB_DIR || undefined,
    webDemoKey: env.PHOTOMAKER_WEB_DEMO_KEY || undefined,
    temporalUiUrl: env.PHOTOMAKER_TEMPORAL_UI_URL || undefined,
    corsOrigins: corsOriginsFrom(env.PHOTOMAKER_CORS_ORIGINS),
    limits: limitsFromEnv(env),
    warnings,
  };
}
