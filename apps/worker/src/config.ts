import { z } from 'zod';

/** Secrets the worker falls back to for local development only (each logs a warning when used). */
export const DEV_WEBHOOK_SECRET = 'photomaker-dev-webhook-secret';
/** Must equal the API's dev default, or webhook image links would not verify. */
export const DEV_URL_SECRET = 'photomaker-dev-url-secret';
/** The emulator's documented dev key. */
export const EMULATOR_DEV_KEY = 'rw-emulator-dev-key';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, { error: `must be an integer from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const positiveNumber = z
  .string()
  .trim()
  .transform(Number)
  .pipe(z.number({ error: 'must be a number' }).positive({ error: 'must be a positive number' }));

const DURATION = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** `30s`, `500ms`, `2m`, `12h`, `7d`, or plain milliseconds. */
const duration = z
  .string()
  .trim()
  .regex(DURATION, { error: 'must be a duration such as 500ms, 30s, 2m, 12h, 7d (or milliseconds)' })
  .transform((text) => {
    const [, value, unit] = DURATION.exec(text) ?? [];
    return Math.round(Number(value) * (UNIT_MS[unit ?? 'ms'] ?? 1));
  });

const httpUrl = z
  .string()
  .trim()
  .refine((text) => /^https?:\/\/[^/\s]+/i.test(text), { error: 'must be an http(s) URL' });

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().trim().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().trim().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().trim().min(1).default('photomaker'),
  REDIS_URL: z
    .string()
    .trim()
    .refine((text) => /^rediss?:\/\//.test(text), { error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6380'),
  RUNWARE_BASE_URL: httpUrl.default('http://127.0.0.1:8787/v1'),
  RUNWARE_API_KEY: z.string().trim().min(1).optional(),
  PHOTOMAKER_WEBHOOK_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  PHOTOMAKER_URL_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  PHOTOMAKER_PUBLIC_URL: httpUrl.default('http://127.0.0.1:4000'),
  PHOTOMAKER_IMAGE_URL_TTL: duration.default(7 * 24 * 3600 * 1000),
  WORKER_HTTP_PORT: int(0, 65535).default(9464),
  WORKER_HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  WORKER_CORE_METRICS_PORT: int(0, 65535).default(9465),
  WORKER_MAX_CONCURRENT_ACTIVITIES: int(1, 10_000).default(200),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: int(2, 10_000).default(40),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: int(1, 10_000).default(200),
  WORKER_WORKFLOW_THREADS: int(1, 64).default(1),
  WORKER_RUNWARE_ACTIVITIES_PER_SECOND: positiveNumber.optional(),
  WORKER_SHUTDOWN_GRACE: duration.default(30_000),
  WORKER_HEARTBEAT_THROTTLE: duration.default(2_000),
  WORKER_RUNWARE_SYNC_MAX_RESULTS: int(0, 20).default(1),
  WORKER_POLL_INITIAL: duration.default(100),
  WORKER_POLL_MAX: duration.default(1_000),
  WORKER_REFERENCE_CACHE_TTL: duration.default(25 * 24 * 3600 * 1000),
  WORKER_WORKFLOW_BUNDLE: z
    .string()
    .trim()
    .refine((value) => ['auto', 'bundle', 'source'].includes(value) || value.startsWith('/'), {
      error: 'must be auto, bundle, source or an absolute path to a workflow bundle',
    })
    .default('auto'),
  WORKER_CODEC_CORS_ORIGINS: z.string().trim().optional(),
  WORKER_CODEC_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface WorkerConfig {
  temporal: { address: string; namespace: string; taskQueue: string };
  redisUrl: string;
  runware: { baseUrl: string; apiKey: string };
  publicUrl: string;
  webhookSecret: string;
  urlSecret: string;
  imageUrlTtlSeconds: number;
  http: { host: string; port: number };
  coreMetricsPort: number;
  tuning: {
    maxConcurrentActivities: number;
    maxConcurrentWorkflowTasks: number;
    maxConcurrentLocalActivities: number;
    workflowThreads: number;
    runwareActivitiesPerSecond?: number | undefined;
    shutdownGraceMs: number;
    heartbeatThrottleMs: number;
  };
  syncMaxResults: number;
  poll: { initialMs: number; factor: number; maxMs: number };
  referenceCacheTtlSeconds: number;
  /** auto | bundle | source | an absolute path to a bundle file. */
  workflowBundle: string;
  codec: { corsOrigins?: string[] | undefined; token?: string | undefined };
  logLevel: string;
  /** Dev fallbacks in use, to log once at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const isLoopback = (url: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:|\/|$)/i.test(url);

/** Reads and checks the worker's environment; every problem names the variable and the rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const blankToUndefined = Object.fromEntries(
    Object.keys(envSchema.shape).map((name) => [name, env[name] === '' ? undefined : env[name]]),
  );
  const parsed = envSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid worker configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const warnings: string[] = [];
  let apiKey = e.RUNWARE_API_KEY;
  if (!apiKey) {
    if (!isLoopback(e.RUNWARE_BASE_URL)) {
      throw new ConfigError(
        `invalid worker configuration:\n  RUNWARE_API_KEY: required for ${new URL(e.RUNWARE_BASE_URL).origin} (only the local emulator has a default key)`,
      );
    }
    apiKey = EMULATOR_DEV_KEY;
    warnings.push(`RUNWARE_API_KEY unset: using the emulator's dev key for ${e.RUNWARE_BASE_URL}`);
  }
  if (!e.PHOTOMAKER_WEBHOOK_SECRET)
    warnings.push('PHOTOMAKER_WEBHOOK_SECRET unset: webhooks are signed with a dev secret');
  if (!e.PHOTOMAKER_URL_SECRET)
    warnings.push('PHOTOMAKER_URL_SECRET unset: image links are signed with a dev secret');
  if (e.WORKER_POLL_MAX < e.WORKER_POLL_INITIAL) {
    throw new ConfigError(
      'invalid worker configuration:\n  WORKER_POLL_MAX: must be at least WORKER_POLL_INITIAL',
    );
  }
  const corsOrigins = e.WORKER_CODEC_CORS_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
    },
    redisUrl: e.REDIS_URL,
    runware: { baseUrl: e.RUNWARE_BASE_URL, apiKey },
    publicUrl: e.PHOTOMAKER_PUBLIC_URL.replace(/\/+$/, ''),
    webhookSecret: e.PHOTOMAKER_WEBHOOK_SECRET ?? DEV_WEBHOOK_SECRET,
    urlSecret: e.PHOTOMAKER_URL_SECRET ?? DEV_URL_SECRET,
    imageUrlTtlSeconds: Math.max(60, Math.round(e.PHOTOMAKER_IMAGE_URL_TTL / 1000)),
    http: { host: e.WORKER_HTTP_HOST, port: e.WORKER_HTTP_PORT },
    coreMetricsPort: e.WORKER_CORE_METRICS_PORT,
    tuning: {
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTasks: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentLocalActivities: e.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
      workflowThreads: e.WORKER_WORKFLOW_THREADS,
      runwareActivitiesPerSecond: e.WORKER_RUNWARE_ACTIVITIES_PER_SECOND,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE,
      heartbeatThrottleMs: e.WORKER_HEARTBEAT_THROTTLE,
    },
    syncMaxResults: e.WORKER_RUNWARE_SYNC_MAX_RESULTS,
    poll: { initialMs: e.WORKER_POLL_INITIAL, factor: 1.5, maxMs: e.WORKER_POLL_MAX },
    referenceCacheTtlSeconds: Math.max(60, Math.round(e.WORKER_REFERENCE_CACHE_TTL / 1000)),
    workflowBundle: e.WORKER_WORKFLOW_BUNDLE,
    codec: { corsOrigins, token: e.WORKER_CODEC_TOKEN },
    logLevel: e.LOG_LEVEL,
    warnings,
  };
}
