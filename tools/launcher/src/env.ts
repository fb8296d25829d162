import { apiEnv } from '@photomaker/api/env';
import { blobDirEnv, urlSigningEnv } from '@photomaker/blobstore';
import { httpUrl, nonEmpty, oneOf, tcpPort } from '@photomaker/env';
import { redisEnv } from '@photomaker/events';
import { logEnv, metricsTokenEnv } from '@photomaker/observability';
import { payloadKeysEnv } from '@photomaker/temporal/codec';
import { temporalEnv } from '@photomaker/temporal/env';
import { urlGuardEnv } from '@photomaker/url-guard';
import { workerEnv } from '@photomaker/worker/env';
import { z } from 'zod';

export const LATENCY_PRESETS = ['none', 'fast', 'realistic'] as const;
export const RUNWARE_MODES = ['auto', 'emulator', 'real'] as const;
export const REAL_RUNWARE_URL = 'https://api.runware.ai/v1';

/** The launcher's keys: it puts them in the API's environment, and checks each entry before starting. */
const apiKeyList = z.string().superRefine((value, ctx) => {
  value
    .split(',')
    .map((entry) => entry.trim())
    .forEach((entry, i) => {
      if (/^([A-Za-z0-9_.-]+):(\S{32,})$/.test(entry)) return;
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} must be tenant:key (tenant of letters, digits, _ . -; key of at least 32 characters, no spaces or commas)`,
      });
    });
});

/** An app's variable with the app's rule, described as the launcher uses it (it decides the value). */
const managed = <S extends z.ZodType>(variable: S, description: string, defaultText?: string) =>
  variable.describe(description).meta(defaultText === undefined ? {} : { defaultText });

/**
 * The launcher's settings: the ports and data dir of what it starts, and the apps' variables it
 * decides for them (env.ts of each app holds the rule; stack-env.ts hands each app its values).
 * Every other variable of an app's schema passes through unchanged (config-table.ts documents both).
 */
export const launcherEnv = z.object({
  PORT: tcpPort.prefault('4000').describe('API + web app port (`/`, `/graphql`, `/v1`); `--port` wins'),
  PHOTOMAKER_DATA_DIR: nonEmpty
    .optional()
    .describe('Where Temporal, Redis, blobs, logs, secrets and the demo key live; `--data-dir` wins')
    .meta({ defaultText: '`.data`' }),
  PHOTOMAKER_API_KEYS: apiKeyList
    .optional()
    .describe('Comma-separated `tenant:key` pairs; when set, replaces the demo key')
    .meta({ secret: true, defaultText: 'a generated demo key' }),
  PHOTOMAKER_API_KEYS_FILE: managed(
    apiEnv.shape.PHOTOMAKER_API_KEYS_FILE,
    'A file of `tenant:key` (or `tenant:sha256:<hex>`) lines; when set, replaces the demo key too',
  ),
  PHOTOMAKER_RUNWARE: oneOf(RUNWARE_MODES)
    .default('auto')
    .describe(
      '`emulator`, `real` or `auto` (real Runware when `RUNWARE_API_KEY` is set); `--emulator` / `--real-runware` win',
    ),
  RUNWARE_API_KEY: managed(
    workerEnv.shape.RUNWARE_API_KEY,
    'Your Runware key; with it (and no `--emulator`) jobs go to the real Runware',
    'unset',
  ),
  RUNWARE_BASE_URL: httpUrl
    .optional()
    .describe('Runware endpoint used with the real Runware')
    .meta({ defaultText: `\`${REAL_RUNWARE_URL}\` (real) or the emulator` }),
  RUNWARE_EMULATOR_PORT: tcpPort.prefault('8787').describe('Port of the Runware emulator'),
  RUNWARE_EMULATOR_LATENCY: oneOf(LATENCY_PRESETS)
    .default('realistic')
    .describe('Emulator latency preset: `none`, `fast` or `realistic`'),
  TEMPORAL_ADDRESS: managed(
    temporalEnv.shape.TEMPORAL_ADDRESS.unwrap().optional(),
    'An existing Temporal frontend (`host:port`); when set, or with `TEMPORAL_PROFILE`, no dev server is started',
    'unset (start a dev server)',
  ),
  TEMPORAL_NAMESPACE: temporalEnv.shape.TEMPORAL_NAMESPACE,
  TEMPORAL_PORT: tcpPort.prefault('7233').describe('gRPC port of the Temporal dev server'),
  TEMPORAL_UI_PORT: tcpPort.prefault('8233').describe('Temporal Web UI port'),
  REDIS_URL: managed(
    redisEnv.shape.REDIS_URL.unwrap().optional(),
    'An existing Redis (`redis://` or `rediss://`); when set no redis-server is started',
    'unset (start redis-server)',
  ),
  REDIS_PORT: tcpPort.prefault('6380').describe('Port of the project redis-server'),
  WORKER_HTTP_PORT: tcpPort
    .prefault('9464')
    .describe('Worker `/metrics`, `/healthz` and the Temporal UI codec endpoint `/codec`'),
  WORKER_CORE_METRICS_PORT: tcpPort.prefault('9465').describe('Temporal SDK core metrics of the worker'),
  PHOTOMAKER_PUBLIC_URL: httpUrl
    .optional()
    .describe('Base URL of the API for absolute links (webhook bodies)')
    .meta({ defaultText: '`http://127.0.0.1:<PORT>`' }),
  PHOTOMAKER_BLOB_DIR: managed(
    blobDirEnv.shape.PHOTOMAKER_BLOB_DIR,
    'Local blob store directory',
    '`<data dir>/blobs`',
  ),
  PHOTOMAKER_PAYLOAD_KEYS: managed(
    payloadKeysEnv.shape.PHOTOMAKER_PAYLOAD_KEYS,
    'Temporal payload encryption keys `keyId:<base64 of 32 bytes>[,...]`, first = current',
    'generated into `<data dir>/secrets.json`',
  ),
  PHOTOMAKER_WEBHOOK_SECRET: managed(
    workerEnv.shape.PHOTOMAKER_WEBHOOK_SECRET,
    'Master secret the tenants’ webhook signing secrets are derived from',
    'generated',
  ),
  PHOTOMAKER_URL_SECRET: managed(
    urlSigningEnv.shape.PHOTOMAKER_URL_SECRET,
    'HMAC secret of signed image URLs',
    'generated',
  ),
  PHOTOMAKER_METRICS_TOKEN: managed(
    metricsTokenEnv.shape.PHOTOMAKER_METRICS_TOKEN,
    'Bearer token of the API’s and the worker’s `/metrics`',
    'generated',
  ),
  WORKER_CODEC_TOKEN: managed(
    workerEnv.shape.WORKER_CODEC_TOKEN,
    'Token of the worker’s `/codec` (part of the codec URL the Temporal UI gets)',
    'generated',
  ),
  PHOTOMAKER_ALLOW_PRIVATE_URLS: urlGuardEnv.shape.PHOTOMAKER_ALLOW_PRIVATE_URLS,
  LOG_LEVEL: managed(logEnv.shape.LOG_LEVEL, 'Log level of every app (`trace` … `fatal`, `silent`)'),
});

export type LauncherEnv = z.output<typeof launcherEnv>;
export type LogLevel = LauncherEnv['LOG_LEVEL'];
export type LatencyPreset = (typeof LATENCY_PRESETS)[number];
