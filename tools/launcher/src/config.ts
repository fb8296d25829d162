import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { CliFlags } from './cli-args.ts';

/**
 * Every setting of the stack, in one table: the README's configuration reference is checked against it
 * (test/readme.test.ts), `--help` prints it, and `loadConfig` validates the environment with it.
 * Names are the ones the apps read (CONTRACTS §5.6); the launcher only adds ports and the data dir.
 */
export interface ConfigVariable {
  name: string;
  /** What the default is, in words. */
  default: string;
  description: string;
  /** Never echoed in error messages. */
  secret?: boolean;
}

export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    name: 'PORT',
    default: '4000',
    description: 'API + web app port (`/`, `/graphql`, `/v1`); `--port` wins',
  },
  {
    name: 'PHOTOMAKER_DATA_DIR',
    default: '`.data`',
    description: 'Where Temporal, Redis, blobs, logs, secrets and the demo key live; `--data-dir` wins',
  },
  {
    name: 'PHOTOMAKER_API_KEYS',
    default: 'a generated demo key',
    description: 'Comma-separated `tenant:key` pairs; when set, replaces the demo key',
    secret: true,
  },
  {
    name: 'PHOTOMAKER_API_KEYS_FILE',
    default: 'unset',
    description:
      'A file of `tenant:key` (or `tenant:sha256:<hex>`) lines; when set, replaces the demo key too',
  },
  {
    name: 'PHOTOMAKER_RUNWARE',
    default: '`auto`',
    description:
      '`emulator`, `real` or `auto` (real Runware when `RUNWARE_API_KEY` is set); `--emulator` / `--real-runware` win',
  },
  {
    name: 'RUNWARE_API_KEY',
    default: 'unset',
    description: 'Your Runware key; with it (and no `--emulator`) jobs go to the real Runware',
    secret: true,
  },
  {
    name: 'RUNWARE_BASE_URL',
    default: '`https://api.runware.ai/v1` (real) or the emulator',
    description: 'Runware endpoint used with the real Runware',
  },
  { name: 'RUNWARE_EMULATOR_PORT', default: '8787', description: 'Port of the Runware emulator' },
  {
    name: 'RUNWARE_EMULATOR_LATENCY',
    default: '`realistic`',
    description: 'Emulator latency preset: `none`, `fast` or `realistic`',
  },
  {
    name: 'TEMPORAL_ADDRESS',
    default: 'unset (start a dev server)',
    description: 'An existing Temporal frontend (`host:port`); when set no dev server is started',
  },
  { name: 'TEMPORAL_NAMESPACE', default: '`default`', description: 'Temporal namespace' },
  { name: 'TEMPORAL_PORT', default: '7233', description: 'gRPC port of the Temporal dev server' },
  { name: 'TEMPORAL_UI_PORT', default: '8233', description: 'Temporal Web UI port' },
  {
    name: 'REDIS_URL',
    default: 'unset (start redis-server)',
    description: 'An existing Redis (`redis://` or `rediss://`); when set no redis-server is started',
  },
  { name: 'REDIS_PORT', default: '6380', description: 'Port of the project redis-server' },
  {
    name: 'WORKER_HTTP_PORT',
    default: '9464',
    description: 'Worker `/metrics`, `/healthz` and the Temporal UI codec endpoint `/codec`',
  },
  {
    name: 'WORKER_CORE_METRICS_PORT',
    default: '9465',
    description: 'Temporal SDK core metrics of the worker',
  },
  {
    name: 'PHOTOMAKER_PUBLIC_URL',
    default: '`http://127.0.0.1:<PORT>`',
    description: 'Base URL of the API for absolute links (webhook bodies)',
  },
  { name: 'PHOTOMAKER_BLOB_DIR', default: '`<data dir>/blobs`', description: 'Local blob store directory' },
  {
    name: 'PHOTOMAKER_PAYLOAD_KEYS',
    default: 'generated into `<data dir>/secrets.json`',
    description: 'Temporal payload encryption keys `keyId:<base64 of 32 bytes>[,...]`, first = current',
    secret: true,
  },
  {
    name: 'PHOTOMAKER_WEBHOOK_SECRET',
    default: 'generated',
    description: 'HMAC secret that signs our webhook deliveries',
    secret: true,
  },
  {
    name: 'PHOTOMAKER_URL_SECRET',
    default: 'generated',
    description: 'HMAC secret of signed image URLs',
    secret: true,
  },
  {
    name: 'PHOTOMAKER_ALLOW_PRIVATE_URLS',
    default: 'unset',
    description: 'SSRF allow-list for webhook/upload/image URLs (hosts or CIDRs, comma-separated)',
  },
  {
    name: 'LOG_LEVEL',
    default: '`info`',
    description: 'Log level of every app (`trace` … `fatal`, `silent`)',
  },
];

const KNOWN = new Set(CONFIG_VARIABLES.map((v) => v.name));
const SECRET = new Set(CONFIG_VARIABLES.filter((v) => v.secret).map((v) => v.name));

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LATENCY_PRESETS = ['none', 'fast', 'realistic'] as const;
export const RUNWARE_MODES = ['auto', 'emulator', 'real'] as const;
export const REAL_RUNWARE_URL = 'https://api.runware.ai/v1';

const port = z
  .string()
  .regex(/^[0-9]{1,5}$/, { error: 'must be a TCP port number from 1 to 65535' })
  .transform(Number)
  .pipe(
    z.int().min(1, { error: 'must be a TCP port number from 1 to 65535' }).max(65535, {
      error: 'must be a TCP port number from 1 to 65535',
    }),
  );

const httpUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: 'must be an http(s) URL' },
);

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

const apiKeys = z.string().superRefine((value, ctx) => {
  const entries = value.split(',').map((e) => e.trim());
  entries.forEach((entry, i) => {
    const match = /^([A-Za-z0-9_.-]+):(\S{8,})$/.exec(entry);
    if (!match) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} must be tenant:key (tenant of letters, digits, _ . -; key of at least 8 characters, no spaces or commas)`,
      });
    }
  });
});

const payloadKeys = z.string().superRefine((value, ctx) => {
  value.split(',').forEach((entry, i) => {
    const [id, key, ...rest] = entry.trim().split(':');
    const bytes = key ? Buffer.from(key, 'base64') : Buffer.alloc(0);
    if (!id || rest.length > 0 || bytes.length !== 32 || bytes.toString('base64') !== key) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${i + 1} must be keyId:<base64 of exactly 32 bytes> (generate one: node -p "'k1:'+crypto.randomBytes(32).toString('base64')")`,
      });
    }
  });
});

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:[0-9]{1,5}$|^\[[0-9a-fA-F:]+\]:[0-9]{1,5}$/, {
  error: 'must be host:port, e.g. temporal.example.com:7233',
});

const redisUrl = z.string().refine((value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
  error: 'must be a redis:// or rediss:// URL',
});

const envSchema = z.object({
  PORT: port.default(4000),
  PHOTOMAKER_DATA_DIR: nonEmpty.optional(),
  PHOTOMAKER_API_KEYS: apiKeys.optional(),
  PHOTOMAKER_API_KEYS_FILE: z
    .string()
    .refine((path) => existsSync(path), { error: 'must name an existing file' })
    .optional(),
  PHOTOMAKER_RUNWARE: z
    .enum(RUNWARE_MODES, { error: `must be one of: ${RUNWARE_MODES.join(', ')}` })
    .default('auto'),
  RUNWARE_API_KEY: nonEmpty.optional(),
  RUNWARE_BASE_URL: httpUrl.optional(),
  RUNWARE_EMULATOR_PORT: port.default(8787),
  RUNWARE_EMULATOR_LATENCY: z
    .enum(LATENCY_PRESETS, { error: `must be one of: ${LATENCY_PRESETS.join(', ')}` })
    .default('realistic'),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,255}$/, { error: 'must be a Temporal namespace name' })
    .default('default'),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  REDIS_URL: redisUrl.optional(),
  REDIS_PORT: port.default(6380),
  WORKER_HTTP_PORT: port.default(9464),
  WORKER_CORE_METRICS_PORT: port.default(9465),
  PHOTOMAKER_PUBLIC_URL: httpUrl.optional(),
  PHOTOMAKER_BLOB_DIR: nonEmpty.optional(),
  PHOTOMAKER_PAYLOAD_KEYS: payloadKeys.optional(),
  PHOTOMAKER_WEBHOOK_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  PHOTOMAKER_URL_SECRET: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  PHOTOMAKER_ALLOW_PRIVATE_URLS: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of: ${LOG_LEVELS.join(', ')}` }).default('info'),
});

export type RunwareTarget =
  | { mode: 'emulator'; port: number; latency: (typeof LATENCY_PRESETS)[number] }
  | { mode: 'real'; baseUrl: string; apiKey: string };

export interface StackPorts {
  api: number;
  temporal?: number;
  temporalUi?: number;
  redis?: number;
  emulator?: number;
  workerHttp: number;
  workerCoreMetrics: number;
}

export interface StackConfig {
  rootDir: string;
  dataDir: string;
  verbose: boolean;
  ports: StackPorts;
  runware: RunwareTarget;
  /** An existing Temporal frontend, or undefined to start the dev server. */
  temporalAddress?: string;
  namespace: string;
  /** An existing Redis, or undefined to start redis-server. */
  redisUrl?: string;
  /** The user's keys; with neither, the launcher creates and uses a demo key. */
  apiKeys?: string;
  apiKeysFile?: string;
  publicUrl: string;
  blobDir: string;
  payloadKeys?: string;
  webhookSecret?: string;
  urlSecret?: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** The environment the apps inherit: the process environment over the `.env` file. */
  env: Record<string, string>;
  /** Non-fatal remarks (e.g. a likely typo in `.env`). */
  warnings: string[];
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Which variable a flag overrides, for error messages. */
const FLAG_FOR: Record<string, string> = { PORT: '--port', PHOTOMAKER_DATA_DIR: '--data-dir' };

function describeIssue(name: string, message: string, env: Record<string, string>): string {
  const value = env[name];
  const shown = value === undefined || SECRET.has(name) ? '' : ` (got ${JSON.stringify(value)})`;
  const flag = FLAG_FOR[name] ? ` / ${FLAG_FOR[name]}` : '';
  return `${name}${flag}: ${message}${shown}`;
}

export interface LoadConfigInput {
  rootDir: string;
  /** The process environment. */
  processEnv: Record<string, string | undefined>;
  /** Variables read from the `.env` file (the process environment wins). */
  fileEnv?: Record<string, string>;
  flags?: CliFlags;
}

/** Validates everything up front: one error lists every bad variable, and nothing starts. */
export function loadConfig(input: LoadConfigInput): StackConfig {
  const { rootDir, flags = {} } = input;
  const env: Record<string, string> = { ...(input.fileEnv ?? {}) };
  for (const [key, value] of Object.entries(input.processEnv)) if (value !== undefined) env[key] = value;
  // Flags win over the environment; they are validated as the variable they stand for.
  if (flags.port !== undefined) env.PORT = flags.port;
  if (flags.dataDir !== undefined) env.PHOTOMAKER_DATA_DIR = flags.dataDir;
  if (flags.runware !== undefined) env.PHOTOMAKER_RUNWARE = flags.runware;
  // Empty values in .env files mean "unset" (a common template style: `RUNWARE_API_KEY=`).
  const relevant: Record<string, string> = {};
  for (const name of KNOWN) if (env[name] !== undefined && env[name] !== '') relevant[name] = env[name];

  const parsed = envSchema.safeParse(relevant);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '');
      problems.push(describeIssue(name, issue.message, relevant));
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;

  const dataDir = resolvePath(rootDir, e.PHOTOMAKER_DATA_DIR ?? '.data');
  let runware: RunwareTarget;
  const wantsReal = e.PHOTOMAKER_RUNWARE === 'real' || (e.PHOTOMAKER_RUNWARE === 'auto' && e.RUNWARE_API_KEY);
  if (wantsReal) {
    if (!e.RUNWARE_API_KEY) {
      problems.push(
        'RUNWARE_API_KEY: required for the real Runware (--real-runware / PHOTOMAKER_RUNWARE=real); get one at https://my.runware.ai',
      );
    }
    runware = {
      mode: 'real',
      baseUrl: e.RUNWARE_BASE_URL ?? REAL_RUNWARE_URL,
      apiKey: e.RUNWARE_API_KEY ?? '',
    };
  } else {
    runware = { mode: 'emulator', port: e.RUNWARE_EMULATOR_PORT, latency: e.RUNWARE_EMULATOR_LATENCY };
  }

  const ports: StackPorts = {
    api: e.PORT,
    workerHttp: e.WORKER_HTTP_PORT,
    workerCoreMetrics: e.WORKER_CORE_METRICS_PORT,
    ...(e.TEMPORAL_ADDRESS ? {} : { temporal: e.TEMPORAL_PORT, temporalUi: e.TEMPORAL_UI_PORT }),
    ...(e.REDIS_URL ? {} : { redis: e.REDIS_PORT }),
    ...(runware.mode === 'emulator' ? { emulator: runware.port } : {}),
  };
  problems.push(...duplicatePorts(ports));
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    rootDir,
    dataDir,
    verbose: flags.verbose ?? false,
    ports,
    runware,
    ...(e.TEMPORAL_ADDRESS ? { temporalAddress: e.TEMPORAL_ADDRESS } : {}),
    namespace: e.TEMPORAL_NAMESPACE,
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    ...(e.PHOTOMAKER_API_KEYS ? { apiKeys: e.PHOTOMAKER_API_KEYS } : {}),
    ...(e.PHOTOMAKER_API_KEYS_FILE ? { apiKeysFile: resolvePath(rootDir, e.PHOTOMAKER_API_KEYS_FILE) } : {}),
    publicUrl: e.PHOTOMAKER_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`,
    blobDir: resolvePath(rootDir, e.PHOTOMAKER_BLOB_DIR ?? join(dataDir, 'blobs')),
    ...(e.PHOTOMAKER_PAYLOAD_KEYS ? { payloadKeys: e.PHOTOMAKER_PAYLOAD_KEYS } : {}),
    ...(e.PHOTOMAKER_WEBHOOK_SECRET ? { webhookSecret: e.PHOTOMAKER_WEBHOOK_SECRET } : {}),
    ...(e.PHOTOMAKER_URL_SECRET ? { urlSecret: e.PHOTOMAKER_URL_SECRET } : {}),
    logLevel: e.LOG_LEVEL,
    env,
    warnings: typoWarnings(Object.keys(input.fileEnv ?? {})),
  };
}

const PORT_VARIABLE: Record<keyof StackPorts, string> = {
  api: 'PORT',
  temporal: 'TEMPORAL_PORT',
  temporalUi: 'TEMPORAL_UI_PORT',
  redis: 'REDIS_PORT',
  emulator: 'RUNWARE_EMULATOR_PORT',
  workerHttp: 'WORKER_HTTP_PORT',
  workerCoreMetrics: 'WORKER_CORE_METRICS_PORT',
};

/** The variable (and flag) that sets a port, for "choose another port" hints. */
export function portVariable(key: keyof StackPorts): string {
  const name = PORT_VARIABLE[key];
  return FLAG_FOR[name] ? `${name} or ${FLAG_FOR[name]}` : name;
}

function duplicatePorts(ports: StackPorts): string[] {
  const byPort = new Map<number, string[]>();
  for (const [key, value] of Object.entries(ports) as [keyof StackPorts, number | undefined][]) {
    if (value === undefined) continue;
    byPort.set(value, [...(byPort.get(value) ?? []), PORT_VARIABLE[key]]);
  }
  return [...byPort.entries()]
    .filter(([, names]) => names.length > 1)
    .map(([value, names]) => `${names.join(' and ')}: both are ${value}; every service needs its own port`);
}

function resolvePath(rootDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(rootDir, path);
}

/** Names in `.env` one or two edits away from a known variable are almost always typos. */
function typoWarnings(names: string[]): string[] {
  const warnings: string[] = [];
  for (const name of names) {
    if (KNOWN.has(name)) continue;
    const near = [...KNOWN].find((known) => editDistance(name, known) <= 2);
    if (near) warnings.push(`.env sets ${name}, which nothing reads: did you mean ${near}?`);
  }
  return warnings;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
