import { parseArgs } from 'node:util';
import { definedOnly, type EnvInput, parseEnv } from '@photomaker/env';
import type { EmulatorOptions } from '../emulator-options.ts';
import { type EmulatorEnv, emulatorEnv } from '../env.ts';
import { ENV_FLAGS, type FlagOnly, flagOnlySchema, parseArgsOptions } from './flags.ts';
import type { LatencyModel } from './latency.ts';

export { HELP } from './help.ts';

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliConfig {
  help: boolean;
  options: EmulatorOptions;
  logLevel: string;
  keyCount: number;
  devKey: boolean;
}

type FlagValues = Record<string, string | boolean | undefined>;

function readFlags(argv: string[]): FlagValues {
  try {
    return parseArgs({ args: argv, strict: true, options: parseArgsOptions() }).values;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** The environment with each given flag in place of its variable; a problem names what was given. */
function envWithFlags(values: FlagValues, env: EnvInput) {
  const input: Record<string, string | undefined> = { ...env };
  const flagged = new Map<string, string>();
  for (const [name, { flag }] of Object.entries(ENV_FLAGS)) {
    const value = values[flag];
    if (typeof value !== 'string') continue;
    input[name] = value;
    flagged.set(name, `--${flag}`);
  }
  return { input, label: (name: string) => flagged.get(name) ?? name };
}

const KNOBS = [
  ['latency-request-ms', 'requestMs'],
  ['latency-image-ms', 'imageMs'],
  ['latency-step-ms', 'stepMs'],
  ['parallelism', 'parallelism'],
] as const;

function withKnobs(model: LatencyModel, flags: FlagOnly): LatencyModel {
  const tuned = { ...model };
  for (const [flag, key] of KNOBS) {
    const value = flags[flag];
    if (value !== undefined) tuned[key] = value;
  }
  return tuned;
}

function optionsOf(e: EmulatorEnv, f: FlagOnly): EmulatorOptions {
  return {
    host: e.RUNWARE_EMULATOR_HOST,
    port: e.RUNWARE_EMULATOR_PORT,
    apiKeys: e.RUNWARE_EMULATOR_KEYS ?? [],
    latency: withKnobs(e.RUNWARE_EMULATOR_LATENCY, f),
    capacity: definedOnly({ maxConcurrentPerKey: e.RUNWARE_EMULATOR_CAPACITY, status: f['capacity-status'] }),
    delivery: definedOnly({ attempts: f['webhook-attempts'], minDelayMs: f['webhook-backoff-ms'] }),
    ...definedOnly({
      publicUrl: e.RUNWARE_EMULATOR_PUBLIC_URL,
      balance: e.RUNWARE_EMULATOR_BALANCE,
      faults: e.RUNWARE_EMULATOR_FAULTS,
      idleTimeoutMs: f['idle-timeout-ms'],
      sessionBufferMs: f['session-buffer-ms'],
      defaultTtlSeconds: f['default-ttl'],
      syncTimeoutMs: f['sync-timeout-ms'],
      wsSyncTimeoutMs: f['ws-sync-timeout-ms'],
    }),
  };
}

/**
 * Flags and environment -> emulator options, both through the schemas (env.ts, config/flags.ts);
 * every bad value is one CliError line naming the flag or variable it came from.
 */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  const values = readFlags(argv);
  if (values.help) return { help: true, options: {}, logLevel: 'info', keyCount: 0, devKey: false };
  const { input, label } = envWithFlags(values, env);
  const fromEnv = parseEnv(emulatorEnv, input, { label });
  const fromFlags = parseEnv(flagOnlySchema, values as EnvInput, { label: (name) => `--${name}` });
  if (!fromEnv.ok || !fromFlags.ok) {
    throw new CliError([fromEnv, fromFlags].flatMap((r) => (r.ok ? [] : r.problems)).join('; '));
  }
  const options = optionsOf(fromEnv.data, fromFlags.data);
  const keys = options.apiKeys ?? [];
  return {
    help: false,
    options,
    logLevel: fromEnv.data.LOG_LEVEL,
    keyCount: Math.max(1, keys.length),
    devKey: keys.length === 0,
  };
}
