import { blobDirEnv, blobStoreEnv, urlSigningEnv } from '@photomaker/blobstore';
import { duration, httpUrl, integer, oneOf, positiveNumber } from '@photomaker/env';
import { redisEnv } from '@photomaker/events';
import { logEnv, metricsTokenEnv, tracingEnv } from '@photomaker/observability';
import { retentionSweepEnv } from '@photomaker/retention/env';
import { PHOTOMAKER_FORMS } from '@photomaker/runware';
import { DEFAULT_TASKS_IN_FLIGHT_PER_JOB } from '@photomaker/temporal';
import { payloadKeysEnv } from '@photomaker/temporal/codec';
import { taskQueueEnv, temporalEnv } from '@photomaker/temporal/env';
import { urlGuardEnv } from '@photomaker/url-guard';
import { webhookSecretsEnv } from '@photomaker/webhooks';
import { z } from 'zod';

/** The worker's own variables: Runware, webhooks and links, its HTTP endpoints and its tuning. */
const workerOwnEnv = z.object({
  RUNWARE_BASE_URL: httpUrl
    .default('http://127.0.0.1:8787/v1')
    .describe('Runware endpoint (REST); the default is the local emulator'),
  RUNWARE_API_KEY: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('Runware API key; only a loopback (emulator) endpoint may go without one')
    .meta({ secret: true, defaultText: 'the emulator’s dev key, on a loopback endpoint only' }),
  // Runware documents the standalone task and its current schema has only the nested form
  //: a setting, so the day one is retired is a configuration change.
  RUNWARE_PHOTOMAKER_FORM: oneOf(PHOTOMAKER_FORMS)
    .default('task')
    .describe(
      'How PhotoMaker jobs go to Runware: `task` (the documented photoMaker task) or `nested` (imageInference with a photoMaker object)',
    ),
  // REST stays the default until the socket path has run in production: it is the older, simpler one,
  // and the socket path falls back to it anyway whenever the socket is down.
  RUNWARE_TRANSPORT: oneOf(['rest', 'websocket'] as const)
    .default('rest')
    .describe(
      'How image tasks of multi-image jobs reach Runware: `rest` (sent, then polled with getResponse) or `websocket` (one session per worker, each image pushed as it finishes; REST when the socket is down)',
    ),
  RUNWARE_WS_URL: z
    .url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' })
    .optional()
    .describe(
      'Runware WebSocket endpoint (Runware: `wss://ws-api.runware.ai/v1`), for `RUNWARE_TRANSPORT=websocket`',
    )
    .meta({ defaultText: '`wss://ws-api.runware.ai/v1` for Runware, else `RUNWARE_BASE_URL` as ws(s)://' }),
  PHOTOMAKER_PUBLIC_URL: httpUrl
    .default('http://127.0.0.1:4000')
    .describe('Base URL of the API, for the image links in webhook bodies'),
  PHOTOMAKER_IMAGE_URL_TTL: duration
    .prefault('7d')
    .describe('Lifetime of the signed image links in webhook bodies (at least 60s)'),
  WORKER_HTTP_PORT: integer(0, 65535)
    .prefault('9464')
    .describe('Port of `/metrics`, `/healthz` and the codec endpoint `/codec` (0: any free port)'),
  WORKER_HTTP_HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('Bind address of `WORKER_HTTP_PORT`'),
  WORKER_CORE_METRICS_PORT: integer(0, 65535).prefault('9465').describe('Temporal SDK core metrics port'),
  WORKER_MAX_CONCURRENT_ACTIVITIES: integer(1, 10_000).prefault('200').describe('Activities run at once'),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: integer(2, 10_000)
    .prefault('40')
    .describe('Workflow tasks run at once'),
  WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: integer(1, 10_000)
    .prefault('200')
    .describe('Local activities run at once'),
  WORKER_WORKFLOW_THREADS: integer(1, 64).prefault('1').describe('Threads that run workflow code'),
  WORKER_RUNWARE_ACTIVITIES_PER_SECOND: positiveNumber
    .optional()
    .describe('Task-queue-wide rate limit of Runware activities, shared by all workers')
    .meta({ defaultText: 'unlimited' }),
  WORKER_VISION_ACTIVITIES: integer(0, 64)
    .prefault('1')
    .describe(
      'Face checks (reference-photo gate) run at once on the `<queue>-vision` task queue (CPU-bound, ~250 MB of models); 0: this process does not poll it',
    ),
  WORKER_ADMISSION_UPDATE: oneOf(['true', 'false'])
    .prefault('true')
    .describe(
      'Jobs ask the admission workflow for a slot with an update, answered with the grant when a slot is free (`false`: a signal, and the grant as a signal)',
    ),
  WORKER_SDK_TUNING: z
    .string()
    .trim()
    .optional()
    .describe(
      'JSON of Temporal SDK options for the job-queue worker: maxConcurrentWorkflowTaskPolls, maxConcurrentActivityTaskPolls, nonStickyToStickyPollRatio, maxCachedWorkflows, stickyQueueScheduleToStartTimeoutMs, reuseV8Context',
    )
    .meta({ defaultText: 'the SDK’s defaults' }),
  WORKER_SHUTDOWN_GRACE: duration.prefault('30s').describe('Time running activities get to finish on stop'),
  WORKER_HEARTBEAT_THROTTLE: duration.prefault('2s').describe('Minimum time between activity heartbeats'),
  WORKER_RUNWARE_SYNC_MAX_RESULTS: integer(0, 20)
    .prefault('1')
    .describe('Jobs of at most this many images ask Runware synchronously instead of polling'),
  WORKER_RUNWARE_TASKS_IN_FLIGHT_PER_JOB: integer(1, 20)
    // The API weighs a job in the admission queue by the same default (admissionWeight).
    .prefault(String(DEFAULT_TASKS_IN_FLIGHT_PER_JOB))
    .describe(
      'Runware tasks of one multi-image job in flight at once (one task per image): a cancel stops the images not yet sent',
    ),
  WORKER_CANCEL_DRAIN: duration
    .prefault('30s')
    .describe(
      'How long a cancelled multi-image job still collects the images already sent to Runware (paid, kept in the job)',
    ),
  WORKER_RUNWARE_INCLUDE_COST: oneOf(['true', 'false'])
    .prefault('true')
    .describe(
      "Ask Runware for each image's cost (includeCost) in every task, so usage reports have the numbers",
    ),
  WORKER_POLL_INITIAL: duration.prefault('100ms').describe('First delay between Runware polls'),
  WORKER_POLL_MAX: duration.prefault('1s').describe('Longest delay between Runware polls (grows ×1.5)'),
  WORKER_REFERENCE_CACHE_TTL: duration
    .prefault('25d')
    .describe('How long an uploaded reference image is reused on Runware (at least 60s)'),
  WORKER_WORKFLOW_BUNDLE: z
    .string()
    .trim()
    .refine((value) => ['auto', 'bundle', 'source'].includes(value) || value.startsWith('/'), {
      error: 'must be auto, bundle, source or an absolute path to a workflow bundle',
    })
    .default('auto')
    .describe('Workflow code: `bundle` (prebuilt), `source`, `auto` (bundle if built) or a bundle path'),
  // Operator endpoints (root README, "Operator endpoints"): the codec decrypts payloads for whoever holds
  // its token; /metrics takes PHOTOMAKER_METRICS_TOKEN (metricsTokenEnv) when this port is not private.
  WORKER_CODEC_CORS_ORIGINS: z
    .string()
    .trim()
    .optional()
    .describe('Browser origins (comma-separated) allowed to call `/codec`: the Temporal UI’s')
    .meta({ defaultText: 'none (the CLI only)' }),
  WORKER_CODEC_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,}$/, {
      error: 'must be at least 16 characters of A-Z a-z 0-9 _ - (it is part of the codec URL)',
    })
    .optional()
    .describe('Token `/codec` requires: URL `/codec/<token>` (the Temporal UI) or `Authorization: Bearer`')
    .meta({ secret: true, defaultText: 'unset: `/codec` is off' }),
});

/** Everything the worker process reads from its environment (`loadConfig` in config.ts parses it). */
export const workerEnv = z.object({
  ...temporalEnv.shape,
  ...taskQueueEnv.shape,
  ...redisEnv.shape,
  ...payloadKeysEnv.shape,
  ...blobStoreEnv.shape,
  ...blobDirEnv.shape,
  ...urlSigningEnv.shape,
  ...urlGuardEnv.shape,
  ...webhookSecretsEnv.shape,
  ...logEnv.shape,
  ...metricsTokenEnv.shape,
  ...retentionSweepEnv.shape,
  ...tracingEnv.shape,
  ...workerOwnEnv.shape,
});

export type WorkerEnv = z.output<typeof workerEnv>;
