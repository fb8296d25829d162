import { isAbsolute, join, resolve } from 'node:path';
import { definedOnly, type EnvInput, parseEnv } from '@photomaker/env';
import type { TemporalConnectionConfig } from '@photomaker/temporal/connection';
import { KNOWN_VARIABLES, passThroughProblems } from './app-envs.ts';
import type { CliFlags } from './cli-flags.ts';
import { type LatencyPreset, type LauncherEnv, type LogLevel, launcherEnv, REAL_RUNWARE_URL } from './env.ts';
import { temporalTarget } from './temporal-target.ts';

export { LATENCY_PRESETS, REAL_RUNWARE_URL, RUNWARE_MODES } from './env.ts';

/**
 * The launcher's settings, validated up front from the process environment, `.env` and the flags:
 * its own variables with its schema (env.ts), the apps' other variables with the apps' schemas
 * (app-envs.ts). One error lists every bad variable, and nothing starts.
 */

export type RunwareTarget =
  | { mode: 'emulator'; port: number; latency: LatencyPreset }
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
  /** How the external Temporal is reached (TLS, API key, profile), as the apps will reach it. */
  externalTemporal?: TemporalConnectionConfig;
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
  metricsToken?: string;
  codecToken?: string;
  logLevel: LogLevel;
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

const withFlag = (name: string) => (FLAG_FOR[name] ? `${name} / ${FLAG_FOR[name]}` : name);

export interface LoadConfigInput {
  rootDir: string;
  /** The process environment. */
  processEnv: Record<string, string | undefined>;
  /** Variables read from the `.env` file (the process environment wins). */
  fileEnv?: Record<string, string>;
  flags?: CliFlags;
}

/** `.env`, then the process environment, then the flags, which are validated as the variable they stand for. */
function mergedEnv(input: LoadConfigInput, flags: CliFlags): Record<string, string> {
  const env: Record<string, string> = { ...(input.fileEnv ?? {}) };
  for (const [key, value] of Object.entries(input.processEnv)) if (value !== undefined) env[key] = value;
  if (flags.port !== undefined) env.PORT = flags.port;
  if (flags.dataDir !== undefined) env.PHOTOMAKER_DATA_DIR = flags.dataDir;
  if (flags.runware !== undefined) env.PHOTOMAKER_RUNWARE = flags.runware;
  return env;
}

function runwareTarget(e: LauncherEnv): { runware: RunwareTarget; problems: string[] } {
  const wantsReal = e.PHOTOMAKER_RUNWARE === 'real' || (e.PHOTOMAKER_RUNWARE === 'auto' && e.RUNWARE_API_KEY);
  if (!wantsReal) {
    return {
      runware: { mode: 'emulator', port: e.RUNWARE_EMULATOR_PORT, latency: e.RUNWARE_EMULATOR_LATENCY },
      problems: [],
    };
  }
  const problems = e.RUNWARE_API_KEY
    ? []
    : [
        'RUNWARE_API_KEY: required for the real Runware (--real-runware / PHOTOMAKER_RUNWARE=real); get one at https://my.runware.ai',
      ];
  return {
    runware: {
      mode: 'real',
      baseUrl: e.RUNWARE_BASE_URL ?? REAL_RUNWARE_URL,
      apiKey: e.RUNWARE_API_KEY ?? '',
    },
    problems,
  };
}

/** A Redis Cluster is always an existing one: its scheme and password come from REDIS_URL. */
function redisProblems(env: EnvInput, e: LauncherEnv): string[] {
  if (!env.REDIS_CLUSTER_NODES?.trim() || e.REDIS_URL) return [];
  return [
    'REDIS_CLUSTER_NODES: set REDIS_URL too (`redis://` or `rediss://` with the cluster password); the launcher starts no Redis Cluster',
  ];
}

/** The ports of what the launcher starts: none for an existing Temporal, Redis or the real Runware. */
function portsOf(e: LauncherEnv, runware: RunwareTarget, externalTemporal: boolean): StackPorts {
  return {
    api: e.PORT,
    workerHttp: e.WORKER_HTTP_PORT,
    workerCoreMetrics: e.WORKER_CORE_METRICS_PORT,
    ...(externalTemporal ? {} : { temporal: e.TEMPORAL_PORT, temporalUi: e.TEMPORAL_UI_PORT }),
    ...(e.REDIS_URL ? {} : { redis: e.REDIS_PORT }),
    ...(runware.mode === 'emulator' ? { emulator: runware.port } : {}),
  };
}

/** Validates everything up front: one error lists every bad variable, and nothing starts. */
export function loadConfig(input: LoadConfigInput): StackConfig {
  const { rootDir, flags = {} } = input;
  const env = mergedEnv(input, flags);
  const parsed = parseEnv(launcherEnv, env, { label: withFlag });
  const appProblems = passThroughProblems(env);
  if (!parsed.ok) throw new ConfigError([...parsed.problems, ...appProblems]);
  const e = parsed.data;
  const { runware, problems } = runwareTarget(e);
  const temporal = temporalTarget(env);
  const ports = portsOf(e, runware, temporal.external !== undefined);
  problems.push(...temporal.problems, ...appProblems, ...duplicatePorts(ports), ...redisProblems(env, e));
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = resolvePath(rootDir, e.PHOTOMAKER_DATA_DIR ?? '.data');
  return {
    rootDir,
    dataDir,
    verbose: flags.verbose ?? false,
    ports,
    runware,
    namespace: temporal.namespace,
    publicUrl: e.PHOTOMAKER_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`,
    blobDir: resolvePath(rootDir, e.PHOTOMAKER_BLOB_DIR ?? join(dataDir, 'blobs')),
    logLevel: e.LOG_LEVEL,
    ...definedOnly({
      temporalAddress: temporal.external?.address,
      externalTemporal: temporal.external,
      redisUrl: e.REDIS_URL,
      apiKeys: e.PHOTOMAKER_API_KEYS,
      apiKeysFile: e.PHOTOMAKER_API_KEYS_FILE && resolvePath(rootDir, e.PHOTOMAKER_API_KEYS_FILE),
      payloadKeys: e.PHOTOMAKER_PAYLOAD_KEYS,
      webhookSecret: e.PHOTOMAKER_WEBHOOK_SECRET,
      urlSecret: e.PHOTOMAKER_URL_SECRET,
      metricsToken: e.PHOTOMAKER_METRICS_TOKEN,
      codecToken: e.WORKER_CODEC_TOKEN,
    }),
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
    if (KNOWN_VARIABLES.has(name)) continue;
    const near = [...KNOWN_VARIABLES].find((known) => editDistance(name, known) <= 2);
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
