import { existsSync } from 'node:fs';
import { blobDirEnv, blobStoreEnv, imageUrlModeEnv, urlSigningEnv } from '@photomaker/blobstore';
import { decimal, duration, httpUrl, integer, oneOf } from '@photomaker/env';
import { redisEnv } from '@photomaker/events';
import { logEnv, metricsTokenEnv, tracingEnv } from '@photomaker/observability';
import { retentionPolicyEnv } from '@photomaker/retention/env';
import { payloadKeysEnv } from '@photomaker/temporal/codec';
import { taskQueueEnv, temporalEnv } from '@photomaker/temporal/env';
import { urlGuardEnv } from '@photomaker/url-guard';
import { webhookSecretsEnv } from '@photomaker/webhooks';
import { z } from 'zod';
import { TENANT_PATTERN } from './auth/api-keys.ts';
import { v1SocketEnv } from './gateway/v1-ws/socket-env.ts';
import { runwarePricingEnv } from './pricing/pricing-env.ts';

/** `https://app.example.com,http://localhost:5173` or `*`; each entry an origin (scheme://host[:port]). */
export function corsOriginsFrom(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (entry === '*') continue;
    if (originOf(entry) !== entry.replace(/\/+$/, '') || !/^https?:/.test(entry)) {
      throw new Error(
        `PHOTOMAKER_CORS_ORIGINS: '${entry}' is not an origin (scheme://host[:port], no path) or '*'`,
      );
    }
  }
  return entries.map((entry) => entry.replace(/\/+$/, ''));
}

function originOf(entry: string): string | undefined {
  try {
    return new URL(entry).origin;
  } catch {
    return undefined;
  }
}

const limit = (fallback: number, description: string) =>
  integer(0).prefault(String(fallback)).describe(description);

/** The API's guards and timeouts (`ApiLimits` in config.ts). */
export const apiLimitsEnv = z.object({
  PHOTOMAKER_MAX_BODY_BYTES: limit(48 * 1024 * 1024, 'Max JSON body of /graphql and /v1 (bytes; 48 MiB)'),
  PHOTOMAKER_MAX_IMAGE_BYTES: limit(
    8 * 1024 * 1024,
    'Max decoded size of one input/reference image (bytes; 8 MiB)',
  ),
  PHOTOMAKER_MAX_QUERY_DEPTH: limit(10, 'Max GraphQL selection depth'),
  PHOTOMAKER_MAX_QUERY_COMPLEXITY: limit(2000, 'Max GraphQL query complexity (lists multiply by `first`)'),
  PHOTOMAKER_MAX_QUERY_ALIASES: limit(15, 'Max aliases in one GraphQL operation (`__typename` ones too)'),
  // Bounded work per request (README "Bounded work"): what a request's shape may cost before it runs.
  PHOTOMAKER_MAX_QUERY_TOKENS: limit(5000, 'Max tokens of a GraphQL document (parsing stops there)'),
  PHOTOMAKER_MAX_INPUT_LIST_LENGTH: limit(100, 'Max elements of any list in GraphQL variables or literals'),
  PHOTOMAKER_MAX_V1_TASKS: limit(32, 'Max tasks in one /v1 request'),
  PHOTOMAKER_GRAPHQL_INTROSPECTION: oneOf(['true', 'false'])
    .default('false')
    .describe('Answer GraphQL introspection (`__schema`, `__type`) queries'),
  PHOTOMAKER_RATE_LIMIT: limit(
    600,
    'Requests (HTTP calls, WS subscriptions) per API key per window; 0 disables',
  ),
  PHOTOMAKER_RATE_LIMIT_WINDOW_SECONDS: limit(60, 'Rate limit window (seconds)'),
  PHOTOMAKER_SYNC_WAIT_MS: limit(
    120_000,
    'How long SYNC GraphQL and sync /v1 requests wait for the job (ms)',
  ),
  PHOTOMAKER_IMAGE_FETCH_TIMEOUT_MS: limit(15_000, 'Timeout for downloading a URL input image (ms)'),
  PHOTOMAKER_MAX_SUBSCRIPTIONS_PER_SOCKET: limit(100, 'Max subscriptions per WebSocket connection'),
  PHOTOMAKER_MAX_PAGE_SIZE: limit(100, 'Max `first` in `jobs`'),
  PHOTOMAKER_SUBSCRIPTION_RECHECK_MS: limit(
    30_000,
    'How often a job with live subscribers is checked for having ended without a terminal event (ms)',
  ),
  PHOTOMAKER_RECONCILE_AFTER_MS: limit(
    10_000,
    'An unfinished job older than this is checked against Temporal when read (ms)',
  ),
});

/** The API's edge: what a caller gets before proving a key, timeouts, connection caps (`ApiEdge`). */
export const apiEdgeEnv = z.object({
  PHOTOMAKER_ANONYMOUS_BODY_BYTES: limit(
    64 * 1024,
    'Max body of a /v1 request without an Authorization header, and bytes a WebSocket sends before its key (bytes)',
  ),
  PHOTOMAKER_ANONYMOUS_BODY_TIMEOUT_MS: limit(
    10_000,
    'A /v1 request without an Authorization header must send its body within this (ms)',
  ),
  PHOTOMAKER_ANONYMOUS_RATE_LIMIT: limit(
    120,
    'Requests without an Authorization header per client address per address window; 0 disables',
  ),
  PHOTOMAKER_AUTH_FAILURES_BEFORE_BLOCK: limit(
    10,
    'Failed authentications per client address per address window before it is blocked (1 s, doubling); 0 disables',
  ),
  PHOTOMAKER_ADDRESS_WINDOW_SECONDS: limit(60, 'Window of the per-address limits (seconds)'),
  PHOTOMAKER_HEADERS_TIMEOUT_MS: limit(10_000, 'Time a client has to send the request headers (ms)'),
  PHOTOMAKER_REQUEST_TIMEOUT_MS: limit(
    120_000,
    'Time a client has to send a whole request, headers and body (ms; >= the headers timeout)',
  ),
  PHOTOMAKER_MAX_CONNECTIONS: limit(4096, 'Open connections (HTTP and WebSocket) in total; 0: no cap'),
  PHOTOMAKER_MAX_CONNECTIONS_PER_IP: limit(
    256,
    'Open connections per client address; 0: no cap (behind a proxy every client has its address)',
  ),
  PHOTOMAKER_WS_AUTH_TIMEOUT_MS: limit(
    3_000,
    'A WebSocket must send connection_init with its key within this, else it is closed (ms)',
  ),
});

/** What image intake accepts and how much of the blob store a tenant may fill (`ApiImages` in config.ts). */
export const apiImagesEnv = z.object({
  PHOTOMAKER_MAX_IMAGE_PIXELS: integer(1)
    .prefault(String(50_000_000))
    .describe('Max width x height of one input/reference image, read from its header before decoding'),
  PHOTOMAKER_TENANT_BLOB_QUOTA_BYTES: integer(0)
    .prefault(String(5 * 1024 ** 3))
    .describe('Bytes of input/reference images one tenant may keep in the blob store (5 GiB); 0: no quota'),
  PHOTOMAKER_BLOB_GC_GRACE_HOURS: integer(169)
    .prefault('192')
    .describe('Unreferenced blobs older than this are deleted (hours; longer than a job record lives)'),
  PHOTOMAKER_BLOB_GC_INTERVAL_MINUTES: integer(0)
    .prefault('60')
    .describe('How often one API replica collects unreferenced blobs (minutes); 0: never'),
});

/**
 * Usage counting (`ApiUsage` in config.ts, jobs/usage-ledger.ts): the global budget toward Runware and how
 * long a lost release may hold a slot. Each tenant's own limits are the tenants' (apiTenantsEnv).
 */
export const apiUsageEnv = z.object({
  PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT: integer(1)
    .optional()
    .describe(
      "Jobs in flight toward Runware across all tenants (the account's concurrency); jobs over it wait in the admission queue",
    )
    .meta({ defaultText: 'unlimited' }),
  PHOTOMAKER_JOB_SLOT_TTL: duration
    .prefault('30m')
    .describe(
      "Longest a job counts against its tenant's open jobs (maxQueuedJobs) when its end is never seen",
    ),
});

/**
 * Tenants (issue #12): the tenants file, and the limits and defaults of every tenant it does not override
 * (and of every tenant from `PHOTOMAKER_API_KEYS`). Unset limits are unlimited.
 */
export const apiTenantsEnv = z.object({
  PHOTOMAKER_TENANTS_FILE: z
    .string()
    .trim()
    .min(1)
    .refine((path) => /\.(json|ya?ml)$/i.test(path), { error: 'must end in .json, .yaml or .yml' })
    .refine((path) => existsSync(path), { error: 'must name an existing file' })
    .optional()
    .describe(
      'Tenants file (JSON or YAML): per tenant its API key digests, limits and defaults; reloaded on change or SIGHUP',
    ),
  PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: integer(0)
    .optional()
    .describe('Jobs one tenant may run at once, unless its tenants-file entry says')
    .meta({ defaultText: 'unlimited' }),
  PHOTOMAKER_TENANT_DEFAULT_MAX_QUEUED_JOBS: integer(0)
    .optional()
    .describe('Jobs one tenant may have waiting for a slot')
    .meta({ defaultText: 'unlimited' }),
  PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_MINUTE: integer(0)
    .optional()
    .describe('Images one tenant may request per minute')
    .meta({ defaultText: 'unlimited' }),
  PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY: integer(0)
    .optional()
    .describe('Images one tenant may request per UTC day')
    .meta({ defaultText: 'unlimited' }),
  PHOTOMAKER_TENANT_DEFAULT_SPEND_PER_DAY_USD: decimal(0)
    .optional()
    .describe('USD one tenant may spend at Runware per UTC day')
    .meta({ defaultText: 'unlimited' }),
  PHOTOMAKER_TENANT_DEFAULT_PRICE_PER_IMAGE_USD: decimal(0)
    .optional()
    .describe('USD counted per image when Runware reports no cost (spend cap)')
    .meta({ defaultText: 'unset' }),
  PHOTOMAKER_TENANT_DEFAULT_PRIORITY: oneOf(['HIGH', 'NORMAL', 'LOW'])
    .optional()
    .describe('Priority of a job that does not set one')
    .meta({ defaultText: 'NORMAL' }),
  PHOTOMAKER_TENANT_DEFAULT_REFERENCE_CHECK: oneOf(['STRICT', 'WARN', 'OFF'])
    .optional()
    .describe(
      'Reference-photo check of a job that does not set `referenceCheck`: STRICT refuses unusable photos before Runware is paid, WARN records warnings',
    )
    .meta({ defaultText: 'OFF' }),
  PHOTOMAKER_ADMIN_TENANTS: z
    .string()
    .trim()
    .refine((value) => value.split(',').every((id) => TENANT_PATTERN.test(id.trim())), {
      error: 'must be tenant ids separated by commas',
    })
    .optional()
    .describe("Tenants whose keys see every tenant's usage (besides `admin: true` in the tenants file)")
    .meta({ defaultText: 'none' }),
});

/** The API's own variables: where it listens, who may call it, and what it serves. */
const apiOwnEnv = z.object({
  PORT: integer(0, 65535).prefault('4000').describe('API + web app port (0: any free port); `--port` wins'),
  HOST: z.string().trim().min(1).default('127.0.0.1').describe('Bind address of the API'),
  PHOTOMAKER_API_KEYS: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('API keys: `tenant:key` or `tenant:sha256:<hex>`, comma- or newline-separated')
    .meta({ secret: true, defaultText: 'a built-in dev key of tenant `dev` (warns)' }),
  PHOTOMAKER_API_KEYS_FILE: z
    .string()
    .refine((path) => existsSync(path), { error: 'must name an existing file' })
    .optional()
    .describe('A file of API key lines, used with (or instead of) `PHOTOMAKER_API_KEYS`'),
  PHOTOMAKER_PUBLIC_URL: httpUrl
    .optional()
    .describe('Base URL of the API for absolute links')
    .meta({ defaultText: 'the URL it listens on' }),
  PHOTOMAKER_WEB_DIR: z
    .string()
    .trim()
    .optional()
    .describe('Built web app to serve at `/` (`apps/web/dist`)'),
  PHOTOMAKER_WEB_DEMO_KEY: z
    .string()
    .trim()
    .optional()
    .describe('API key the web app starts with (a demo setup)')
    .meta({ secret: true }),
  PHOTOMAKER_TEMPORAL_UI_URL: httpUrl.optional().describe('Temporal Web UI, linked from the web app'),
  PHOTOMAKER_CORS_ORIGINS: z
    .string()
    .superRefine((raw, ctx) => {
      try {
        corsOriginsFrom(raw);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          message: (error as Error).message.replace('PHOTOMAKER_CORS_ORIGINS: ', ''),
        });
      }
    })
    .optional()
    .describe('Browser origins allowed to call the API from another site (`https://app.example,...` or `*`)')
    .meta({ defaultText: 'unset (same origin only)' }),
});

/** Everything the API process reads from its environment (`configFromEnv` in config.ts parses it). */
export const apiEnv = z.object({
  ...apiOwnEnv.shape,
  ...temporalEnv.shape,
  ...taskQueueEnv.shape,
  ...payloadKeysEnv.shape,
  ...redisEnv.shape,
  ...blobStoreEnv.shape,
  ...blobDirEnv.shape,
  ...imageUrlModeEnv.shape,
  ...urlSigningEnv.shape,
  ...urlGuardEnv.shape,
  ...webhookSecretsEnv.shape,
  ...logEnv.shape,
  ...metricsTokenEnv.shape,
  ...tracingEnv.shape,
  ...apiLimitsEnv.shape,
  ...apiEdgeEnv.shape,
  ...apiImagesEnv.shape,
  ...apiTenantsEnv.shape,
  ...apiUsageEnv.shape,
  ...retentionPolicyEnv.shape,
  ...v1SocketEnv.shape,
  ...runwarePricingEnv.shape,
});

export type ApiEnv = z.output<typeof apiEnv>;
