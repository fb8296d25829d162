import { readFileSync } from 'node:fs';
import { type BlobStoreSettings, DEV_URL_SECRET } from '@photomaker/blobstore';
import { parseEnv } from '@photomaker/env';
import { parseClusterNodes } from '@photomaker/events';
import { type RetentionPolicy, retentionPolicyFrom } from '@photomaker/retention/env';
import {
  TemporalConfigError,
  type TemporalConnectionConfig,
  temporalConnectionFromEnv,
} from '@photomaker/temporal/connection';
import { type TenantWebhookSecrets, webhookSecretsFromEnv } from '@photomaker/webhooks';
import type { z } from 'zod';
import { ApiKeyConfigError } from './auth/api-keys.ts';
import { TenantDirectoryError } from './auth/tenant-directory.ts';
import { loadTenantDirectory, type TenantSources, tenantBaselineFrom } from './auth/tenants-config.ts';
import { TenantsFileError } from './auth/tenants-file.ts';
import { type ApiEnv, type apiEdgeEnv, apiEnv, apiLimitsEnv, corsOriginsFrom } from './env.ts';
import { type V1SocketLimits, v1SocketLimitsOf } from './gateway/v1-ws/socket-env.ts';
import { type RunwarePricingConfig, runwarePricingOf } from './pricing/pricing-env.ts';

export { corsOriginsFrom };

/** Everything the API reads from its environment, parsed once, with documented defaults. */
export interface ApiConfig {
  port: number;
  host: string;
  /** `tenant:key` pairs from env and/or file (see auth/api-keys.ts); empty when only a tenants file is set. */
  apiKeysSpec: string;
  /** Key spec, tenants file and env defaults the tenant directory is built (and rebuilt) from. */
  tenants: TenantSources;
  /** Address, namespace, TLS and API key from Temporal's environment configuration (connection/). */
  temporal: TemporalConnectionConfig;
  /** `TEMPORAL_TASK_QUEUE`: the queue jobs start on (the worker's), and so which admission workflow. */
  taskQueue: string;
  /** `PHOTOMAKER_PAYLOAD_KEYS` (the worker's keys: workflow payloads are encrypted with them). */
  payloadKeys: string | undefined;
  redisUrl: string;
  /** Seeds of a Redis Cluster (REDIS_CLUSTER_NODES); empty: REDIS_URL is one node. */
  redisClusterNodes: string[];
  /** PHOTOMAKER_BLOB_STORE / PHOTOMAKER_BLOB_DIR / PHOTOMAKER_S3_FORCE_PATH_STYLE (blobstore's from-env.ts). */
  blobStore: BlobStoreSettings;
  /** PHOTOMAKER_IMAGE_URLS: `presigned` redirects GET /images to presigned S3 GETs (needs an S3 store). */
  imageUrlMode: 'api' | 'presigned';
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
  /** `PHOTOMAKER_METRICS_TOKEN`: the bearer token /metrics requires; unset, /metrics is not served. */
  metricsToken: string | undefined;
  limits: ApiLimits;
  edge: ApiEdge;
  images: ApiImages;
  usage: ApiUsage;
  /** Every tenant's retention unless the tenants file gives it its own (`PHOTOMAKER_RETENTION_*`). */
  retention: RetentionPolicy;
  /** The /v1 WebSocket's bounds (gateway/v1-ws/socket-env.ts). */
  v1Socket: V1SocketLimits;
  /** Runware's dry run for estimates; undefined: configured prices only (pricing/pricing-env.ts). */
  runwarePricing: RunwarePricingConfig | undefined;
  /** Warnings to log at start (dev secrets in use). */
  warnings: string[];
}

/** Usage limits counted in jobs and images (env.ts `apiUsageEnv`, jobs/usage-ledger.ts). */
export interface ApiUsage {
  /** Jobs in flight toward Runware across all tenants; undefined: no global budget. */
  maxInFlight: number | undefined;
  /** Longest a job holds its slot when its end is never seen (ms). */
  slotTtlMs: number;
}

function usageOf(e: ApiEnv): ApiUsage {
  return {
    maxInFlight: e.PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT,
    slotTtlMs: e.PHOTOMAKER_JOB_SLOT_TTL,
  };
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
  /** Max aliases in one GraphQL operation, `__typename` ones included. */
  queryAliases: number;
  /** Max tokens of a GraphQL document: parsing stops there. */
  queryTokens: number;
  /** Max elements of any list in GraphQL variables or literals. */
  inputListLength: number;
  /** Max tasks in one /v1 request. */
  v1Tasks: number;
  /** Whether GraphQL introspection queries are answered. */
  introspection: boolean;
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

/** What a caller gets before proving a key, and how long and how many connections it may hold. */
interface ApiEdge {
  /** Max body of a /v1 request without an Authorization header (bytes). */
  anonymousBodyBytes: number;
  /** How long such a request may take to send its body (ms). */
  anonymousBodyTimeoutMs: number;
  /** Requests without an Authorization header per address per window; 0 disables. */
  anonymousPoints: number;
  /** Failed authentications per address per window before the address is blocked; 0 disables. */
  freeAuthFailures: number;
  addressWindowSeconds: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Open connections in total / per client address; 0: no cap. */
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** A WebSocket must send connection_init within this (ms). */
  wsAuthTimeoutMs: number;
}

/** Image intake and blob store use (env.ts `apiImagesEnv`). */
export interface ApiImages {
  /** Max width x height of one input/reference image. */
  maxPixels: number;
  /** Bytes of input/reference images one tenant may keep in the blob store; 0: no quota. */
  tenantQuotaBytes: number;
  /** Unreferenced blobs last stored longer ago than this are deleted (ms). */
  gcGraceMs: number;
  /** How often a collection runs across replicas (ms); 0: never. */
  gcIntervalMs: number;
}

export const DEV_API_KEYS = 'dev:photomaker-dev-key-never-in-production';

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
    queryTokens: e.PHOTOMAKER_MAX_QUERY_TOKENS,
    inputListLength: e.PHOTOMAKER_MAX_INPUT_LIST_LENGTH,
    v1Tasks: e.PHOTOMAKER_MAX_V1_TASKS,
    introspection: e.PHOTOMAKER_GRAPHQL_INTROSPECTION === 'true',
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

function edgeOf(e: z.output<typeof apiEdgeEnv>): ApiEdge {
  return {
    anonymousBodyBytes: e.PHOTOMAKER_ANONYMOUS_BODY_BYTES,
    anonymousBodyTimeoutMs: e.PHOTOMAKER_ANONYMOUS_BODY_TIMEOUT_MS,
    anonymousPoints: e.PHOTOMAKER_ANONYMOUS_RATE_LIMIT,
    freeAuthFailures: e.PHOTOMAKER_AUTH_FAILURES_BEFORE_BLOCK,
    addressWindowSeconds: Math.max(1, e.PHOTOMAKER_ADDRESS_WINDOW_SECONDS),
    headersTimeoutMs: e.PHOTOMAKER_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.PHOTOMAKER_REQUEST_TIMEOUT_MS,
    maxConnections: e.PHOTOMAKER_MAX_CONNECTIONS,
    maxConnectionsPerIp: e.PHOTOMAKER_MAX_CONNECTIONS_PER_IP,
    wsAuthTimeoutMs: e.PHOTOMAKER_WS_AUTH_TIMEOUT_MS,
  };
}

/** Rules across variables and what a schema of single variables cannot say. */
function edgeProblems(edge: ApiEdge): string[] {
  if (edge.requestTimeoutMs === 0 || edge.requestTimeoutMs >= edge.headersTimeoutMs) return [];
  return [
    `PHOTOMAKER_REQUEST_TIMEOUT_MS: must be >= PHOTOMAKER_HEADERS_TIMEOUT_MS (${edge.headersTimeoutMs}), or 0`,
  ];
}

/** Tenants are checked at start, so a bad key or tenants file stops the process with its source named. */
function tenantProblems(sources: TenantSources): string[] {
  try {
    loadTenantDirectory(sources);
    return [];
  } catch (error) {
    if (error instanceof ApiKeyConfigError)
      return [`PHOTOMAKER_API_KEYS / PHOTOMAKER_API_KEYS_FILE: ${error.message}`];
    if (error instanceof TenantsFileError) return [`PHOTOMAKER_TENANTS_FILE: ${error.message}`];
    if (error instanceof TenantDirectoryError)
      return [`PHOTOMAKER_API_KEYS / PHOTOMAKER_TENANTS_FILE: ${error.message}`];
    throw error;
  }
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
  if (e.PHOTOMAKER_TENANTS_FILE) return '';
  warnings.push(
    `no PHOTOMAKER_API_KEYS / PHOTOMAKER_API_KEYS_FILE: using the built-in dev key of tenant 'dev' (never in production)`,
  );
  return DEV_API_KEYS;
}

/** Presigned image URLs are S3's: a local blob store has none to give. */
function imageUrlProblems(e: ApiEnv): string[] {
  if (e.PHOTOMAKER_IMAGE_URLS !== 'presigned' || e.PHOTOMAKER_BLOB_STORE?.startsWith('s3://')) return [];
  return ['PHOTOMAKER_IMAGE_URLS: presigned needs PHOTOMAKER_BLOB_STORE=s3://<bucket>/<prefix>'];
}

/** The Temporal connection, or the problem that makes it impossible (a missing file, half a client pair). */
function temporalConnectionOf(
  env: NodeJS.ProcessEnv,
): { ok: true; config: TemporalConnectionConfig } | { ok: false; problem: string } {
  try {
    return { ok: true, config: temporalConnectionFromEnv(env) };
  } catch (error) {
    if (error instanceof TemporalConfigError) return { ok: false, problem: error.message };
    throw error;
  }
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
  const tenants = {
    keysSpec: apiKeys,
    file: e.PHOTOMAKER_TENANTS_FILE,
    baseline: tenantBaselineFrom(e),
    adminTenants: e.PHOTOMAKER_ADMIN_TENANTS?.split(',').map((id) => id.trim()),
  };
  const edge = edgeOf(e);
  const temporal = temporalConnectionOf(env);
  const problems = [...tenantProblems(tenants), ...edgeProblems(edge), ...imageUrlProblems(e)];
  if (!temporal.ok) problems.push(temporal.problem);
  if (problems.length > 0 || !temporal.ok) throw invalid(problems);
  if (!e.PHOTOMAKER_URL_SECRET)
    warnings.push('PHOTOMAKER_URL_SECRET unset: image URLs are signed with a dev secret');
  const webhooks = webhookSecretsFromEnv(e);
  if (webhooks.warning) warnings.push(webhooks.warning);
  return {
    port: e.PORT,
    host: e.HOST,
    apiKeysSpec: apiKeys,
    tenants,
    temporal: temporal.config,
    taskQueue: e.TEMPORAL_TASK_QUEUE,
    payloadKeys: e.PHOTOMAKER_PAYLOAD_KEYS,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: parseClusterNodes(e.REDIS_CLUSTER_NODES),
    blobStore: {
      store: e.PHOTOMAKER_BLOB_STORE,
      dir: e.PHOTOMAKER_BLOB_DIR,
      forcePathStyle: e.PHOTOMAKER_S3_FORCE_PATH_STYLE === 'true',
    },
    imageUrlMode: e.PHOTOMAKER_IMAGE_URLS,
    publicUrl: e.PHOTOMAKER_PUBLIC_URL?.replace(/\/+$/, ''),
    urlSecret: e.PHOTOMAKER_URL_SECRET ?? DEV_URL_SECRET,
    webhookSecrets: webhooks.secrets,
    allowPrivateUrls: e.PHOTOMAKER_ALLOW_PRIVATE_URLS ?? '',
    webDir: e.PHOTOMAKER_WEB_DIR,
    webDemoKey: e.PHOTOMAKER_WEB_DEMO_KEY,
    temporalUiUrl: e.PHOTOMAKER_TEMPORAL_UI_URL,
    corsOrigins: corsOriginsFrom(e.PHOTOMAKER_CORS_ORIGINS),
    metricsToken: e.PHOTOMAKER_METRICS_TOKEN,
    limits: limitsOf(e),
    edge,
    images: {
      maxPixels: e.PHOTOMAKER_MAX_IMAGE_PIXELS,
      tenantQuotaBytes: e.PHOTOMAKER_TENANT_BLOB_QUOTA_BYTES,
      gcGraceMs: e.PHOTOMAKER_BLOB_GC_GRACE_HOURS * 3_600_000,
      gcIntervalMs: e.PHOTOMAKER_BLOB_GC_INTERVAL_MINUTES * 60_000,
    },
    usage: usageOf(e),
    retention: retentionPolicyFrom(e),
    v1Socket: v1SocketLimitsOf(e),
    runwarePricing: runwarePricingOf(e, warnings),
    warnings,
  };
}
