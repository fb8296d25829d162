import { DEV_URL_SECRET } from '@photomaker/blobstore';
import { parseEnv } from '@photomaker/env';
import { parseClusterNodes } from '@photomaker/events';
import type { PhotoMakerForm } from '@photomaker/runware';
import { socketUrlFrom } from '@photomaker/runware/socket';
import {
  TemporalConfigError,
  type TemporalConnectionConfig,
  temporalConnectionFromEnv,
} from '@photomaker/temporal/connection';
import { type TenantWebhookSecrets, webhookSecretsFromEnv } from '@photomaker/webhooks';
import { type WorkerEnv, workerEnv } from './env.ts';
import { parseSdkTuning, type SdkTuning } from './sdk-tuning.ts';

/** The emulator's documented dev key. */
export const EMULATOR_DEV_KEY = 'rw-emulator-dev-key';

export interface WorkerConfig {
  /** Address, namespace, TLS and API key (Temporal's environment configuration), and the task queue. */
  temporal: TemporalConnectionConfig & { taskQueue: string };
  redisUrl: string;
  /** Seeds of a Redis Cluster (REDIS_CLUSTER_NODES); empty: REDIS_URL is one node. */
  redisClusterNodes: string[];
  runware: {
    baseUrl: string;
    apiKey: string;
    photoMakerForm: PhotoMakerForm;
    transport: 'rest' | 'websocket';
    /** The WebSocket endpoint (RUNWARE_WS_URL, or derived from the REST one). */
    socketUrl: string;
  };
  publicUrl: string;
  /** Each tenant's webhook signing secrets (configured, or derived from the master secret). */
  webhookSecrets: TenantWebhookSecrets;
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
    visionActivities: number;
    shutdownGraceMs: number;
    heartbeatThrottleMs: number;
    sdk: SdkTuning;
  };
  syncMaxResults: number;
  tasksInFlightPerJob: number;
  cancelDrainMs: number;
  /** Every Runware task asks for includeCost (WORKER_RUNWARE_INCLUDE_COST). */
  includeCost: boolean;
  /** Admission slots asked for with an update (WORKER_ADMISSION_UPDATE). */
  admissionUpdate: boolean;
  poll: { initialMs: number; factor: number; maxMs: number };
  /** The retention schedule: every how long it sweeps, and the most it erases per run. */
  retention: { everyMs: number; limit: number };
  referenceCacheTtlSeconds: number;
  /** auto | bundle | source | an absolute path to a bundle file. */
  workflowBundle: string;
  codec: { corsOrigins?: string[] | undefined; token?: string | undefined };
  /** `PHOTOMAKER_METRICS_TOKEN`: when set, /metrics needs it; unset, /metrics is open on the private port. */
  metricsToken: string | undefined;
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

const invalid = (problems: string[]) =>
  new ConfigError(`invalid worker configuration:\n  ${problems.join('\n  ')}`);

/** The Runware key, or the emulator's dev key when the endpoint is local; a remote one needs a key. */
function runwareKey(e: WorkerEnv, warnings: string[]): string {
  if (e.RUNWARE_API_KEY) return e.RUNWARE_API_KEY;
  if (!isLoopback(e.RUNWARE_BASE_URL)) {
    throw invalid([
      `RUNWARE_API_KEY: required for ${new URL(e.RUNWARE_BASE_URL).origin} (only the local emulator has a default key)`,
    ]);
  }
  warnings.push(`RUNWARE_API_KEY unset: using the emulator's dev key for ${e.RUNWARE_BASE_URL}`);
  return EMULATOR_DEV_KEY;
}

/** Runware serves WebSockets on its own host; anything else (the emulator, /v1) on the REST one. */
function runwareSocketUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname === 'api.runware.ai') return `wss://ws-api.runware.ai${url.pathname}`;
  return socketUrlFrom(baseUrl);
}

function temporalConnection(env: NodeJS.ProcessEnv): TemporalConnectionConfig {
  try {
    return temporalConnectionFromEnv(env);
  } catch (error) {
    if (error instanceof TemporalConfigError) throw invalid([error.message]);
    throw error;
  }
}

/** Reads and checks the worker's environment (env.ts); every problem names the variable and the rule. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = parseEnv(workerEnv, env);
  if (!parsed.ok) throw invalid(parsed.problems);
  const e = parsed.data;
  const warnings: string[] = [];
  const apiKey = runwareKey(e, warnings);
  const webhooks = webhookSecretsFromEnv(e);
  if (webhooks.warning) warnings.push(webhooks.warning);
  if (!e.PHOTOMAKER_URL_SECRET)
    warnings.push('PHOTOMAKER_URL_SECRET unset: image links are signed with a dev secret');
  if (e.WORKER_POLL_MAX < e.WORKER_POLL_INITIAL) {
    throw invalid(['WORKER_POLL_MAX: must be at least WORKER_POLL_INITIAL']);
  }
  const sdk = parseSdkTuning(e.WORKER_SDK_TUNING);
  if (typeof sdk === 'string') throw invalid([sdk]);
  const corsOrigins = e.WORKER_CODEC_CORS_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return {
    temporal: { ...temporalConnection(env), taskQueue: e.TEMPORAL_TASK_QUEUE },
    redisUrl: e.REDIS_URL,
    redisClusterNodes: parseClusterNodes(e.REDIS_CLUSTER_NODES),
    runware: {
      baseUrl: e.RUNWARE_BASE_URL,
      apiKey,
      photoMakerForm: e.RUNWARE_PHOTOMAKER_FORM,
      transport: e.RUNWARE_TRANSPORT,
      socketUrl: e.RUNWARE_WS_URL ?? runwareSocketUrl(e.RUNWARE_BASE_URL),
    },
    publicUrl: e.PHOTOMAKER_PUBLIC_URL.replace(/\/+$/, ''),
    webhookSecrets: webhooks.secrets,
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
      visionActivities: e.WORKER_VISION_ACTIVITIES,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE,
      heartbeatThrottleMs: e.WORKER_HEARTBEAT_THROTTLE,
      sdk,
    },
    syncMaxResults: e.WORKER_RUNWARE_SYNC_MAX_RESULTS,
    tasksInFlightPerJob: e.WORKER_RUNWARE_TASKS_IN_FLIGHT_PER_JOB,
    cancelDrainMs: e.WORKER_CANCEL_DRAIN,
    includeCost: e.WORKER_RUNWARE_INCLUDE_COST === 'true',
    admissionUpdate: e.WORKER_ADMISSION_UPDATE === 'true',
    poll: { initialMs: e.WORKER_POLL_INITIAL, factor: 1.5, maxMs: e.WORKER_POLL_MAX },
    referenceCacheTtlSeconds: Math.max(60, Math.round(e.WORKER_REFERENCE_CACHE_TTL / 1000)),
    workflowBundle: e.WORKER_WORKFLOW_BUNDLE,
    codec: { corsOrigins, token: e.WORKER_CODEC_TOKEN },
    retention: { everyMs: e.PHOTOMAKER_RETENTION_SWEEP_EVERY, limit: e.PHOTOMAKER_RETENTION_SWEEP_LIMIT },
    metricsToken: e.PHOTOMAKER_METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    warnings,
  };
}
