import { readFileSync } from 'node:fs';
import { DEV_URL_SECRET } from '@photomaker/blobstore';
import { parseEnv } from '@photomaker/env';
import { type TenantWebhookSecrets, webhookSecretsFromEnv } from '@photomaker/webhooks';
import type { z } from 'zod';
import { type ApiEnv, apiEnv, apiLimitsEnv, corsOriginsFrom } from './env.ts';

export { corsOriginsFrom };

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
  /** Each tenant's webhook signing secret, as the worker signs with it (told to the tenant). */
  webhookSecrets: TenantWebhookSecrets;
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

function invalid(problems: string[]): Error {
  return new Error(`invalid API configuration:\n  ${problems.join('\n  ')}`);
}

function limitsOf(e: z.output<typeof apiLimitsEnv>): ApiLimits {
  return {
    bodyBytes: e.PHOTOMAKER_MAX_BODY_BYTES,
    imageBytes: e.PHOTOMAKER_MAX_IMAGE_BYTES,
    queryDepth: e.PHOTOMAKER_MAX_QUERY_DEPTH,
    queryComplexity: e.PHOTOMAKER_MAX_QUERY_COMPLEXITY,
    queryAliases: e.PHOTOMAKER_MAX_QUERY_ALIASES,
    ratePoints: e.PHOTOMAKER_RATE_LIMIT,
    rateWindowSeconds: e.PHOTOMAKER_RATE_LIMIT_WINDOW_SECONDS,
    syncWaitMs: e.PHOTOMAKER_SYNC_WAIT_MS,
    imageFetchMs: e.PHOTOMAKER_IMAGE_FETCH_TIMEOUT_MS,
    subscriptionsPerSocket: e.PHOTOMAKER_MAX_SUBSCRIPTIONS_PER_SOCKET,
    pageSize: e.PHOTOMAKER_MAX_PAGE_SIZE,
    subscriptionRecheckMs: e.PHOTOMAKER_SUBSCRIPTION_RECHECK_MS,
    reconcileAfterMs: e.PHOTOMAKER_RECONCILE_AFTER_MS,
  };
}

export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): ApiLimits {
  const parsed = parseEnv(apiLimitsEnv, env);
  if (!parsed.ok) throw invalid(parsed.problems);
  return limitsOf(parsed.data);
}

/** `--port N` or `--port=N`, which wins over PORT. */
function portFlag(argv: readonly string[]): string | undefined {
  const inline = argv.find((arg) => arg.startsWith('--port='))?.slice('--port='.length);
  const index = argv.indexOf('--port');
  return inline ?? (index >= 0 ? argv[index + 1] : undefined);
}

function apiKeysSpec(e: ApiEnv, warnings: string[]): string {
  const keyParts: string[] = [];
  if (e.PHOTOMAKER_API_KEYS) keyParts.push(e.PHOTOMAKER_API_KEYS);
  if (e.PHOTOMAKER_API_KEYS_FILE) keyParts.push(readFileSync(e.PHOTOMAKER_API_KEYS_FILE, 'utf8'));
  if (keyParts.length > 0) return keyParts.join('\n');
  warnings.push(
    `no PHOTOMAKER_API_KEYS / PHOTOMAKER_API_KEYS_FILE: using the built-in dev key of tenant 'dev' (never in production)`,
  );
  return DEV_API_KEYS;
}

/** Reads and checks the API's environment (env.ts); every problem names the variable and the rule. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): ApiConfig {
  const flag = portFlag(argv);
  const parsed = parseEnv(apiEnv, flag === undefined ? env : { ...env, PORT: flag }, {
    label: (name) => (name === 'PORT' && flag !== undefined ? 'PORT / --port' : name),
  });
  if (!parsed.ok) throw invalid(parsed.problems);
  const e = parsed.data;
  const warnings: string[] = [];
  const apiKeys = apiKeysSpec(e, warnings);
  if (!e.PHOTOMAKER_URL_SECRET)
    warnings.push('PHOTOMAKER_URL_SECRET unset: image URLs are signed with a dev secret');
  const webhooks = webhookSecretsFromEnv(e);
  if (webhooks.warning) warnings.push(webhooks.warning);
  return {
    port: e.PORT,
    host: e.HOST,
    apiKeysSpec: apiKeys,
    temporalAddress: e.TEMPORAL_ADDRESS,
    temporalNamespace: e.TEMPORAL_NAMESPACE,
    payloadKeys: e.PHOTOMAKER_PAYLOAD_KEYS,
    redisUrl: e.REDIS_URL,
    blobDir: e.PHOTOMAKER_BLOB_DIR,
    publicUrl: e.PHOTOMAKER_PUBLIC_URL?.replace(/\/+$/, ''),
    urlSecret: e.PHOTOMAKER_URL_SECRET ?? DEV_URL_SECRET,
    webhookSecrets: webhooks.secrets,
    allowPrivateUrls: e.PHOTOMAKER_ALLOW_PRIVATE_URLS ?? '',
    webDir: e.PHOTOMAKER_WEB_DIR,
    webDemoKey: e.PHOTOMAKER_WEB_DEMO_KEY,
    temporalUiUrl: e.PHOTOMAKER_TEMPORAL_UI_URL,
    corsOrigins: corsOriginsFrom(e.PHOTOMAKER_CORS_ORIGINS),
    limits: limitsOf(e),
    warnings,
  };
}
