import { parseArgs } from 'node:util';
import { DEV_API_KEY, parseKeyList } from '../auth.ts';
import type { EmulatorOptions } from '../emulator.ts';
import { parseFaultConfigJson } from '../faults/fault-config.ts';
import { isLatencyPreset, LATENCY_PRESETS, type LatencyModel, latencySchema } from './latency.ts';

export const HELP = `runware-emulator: a local Runware API (REST + WebSocket at /v1) that makes real images.

Usage: pnpm emulator [options]        (node apps/runware-emulator/src/main.ts [options])

Options (flag, then environment variable; flags win):
  --port <n>                 RUNWARE_EMULATOR_PORT        port (default 8787; 0 = any free port)
  --host <addr>              RUNWARE_EMULATOR_HOST        bind address (default 127.0.0.1)
  --public-url <url>         RUNWARE_EMULATOR_PUBLIC_URL  base of image URLs (default http://<host>:<port>)
  --keys <k1,k2>             RUNWARE_EMULATOR_KEYS        accepted API keys (default: ${DEV_API_KEY})
  --balance <usd>            RUNWARE_EMULATOR_BALANCE     account balance in USD (default 1000)
  --latency <preset|json>    RUNWARE_EMULATOR_LATENCY     none | fast | realistic (default) or JSON knobs
  --latency-request-ms <n>                                overhead per request
  --latency-image-ms <n>                                  fixed time per image
  --latency-step-ms <n>                                   time per step per megapixel (min 0.25 MP)
  --parallelism <n>                                       images of one task generated at once
  --capacity <n>             RUNWARE_EMULATOR_CAPACITY    concurrent generations per key (default 32)
  --capacity-status <429|503>                             status when capacity is exceeded (default 429)
  --faults <json>            RUNWARE_EMULATOR_FAULTS      fault config (see README), also PUT /admin/faults
  --idle-timeout-ms <n>                                   close silent WebSockets (default 120000)
  --session-buffer-ms <n>                                 keep undelivered WS frames (default 120000)
  --webhook-attempts <n>                                  webhook/upload attempts (default 5)
  --webhook-backoff-ms <n>                                first retry delay (default 200)
  --default-ttl <s>                                       image URL lifetime without ttl (default 86400)
  --sync-timeout-ms <n>                                   REST sync wait before 'timeout' (default 300000)
  --log-level <level>        LOG_LEVEL                    pino level (default info)
  -h, --help                                              this text

Admin API (loopback only): GET /admin/inspect, GET /admin/inspect/tasks/<taskUUID>,
GET|PUT|PATCH|DELETE /admin/faults, GET|PUT /admin/balance, GET|PUT /admin/latency, POST /admin/reset.
`;

export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

function integer(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min)
    throw new CliError(`${name} must be an integer >= ${min}, got '${value}'`);
  return parsed;
}

function number(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min)
    throw new CliError(`${name} must be a number >= ${min}, got '${value}'`);
  return parsed;
}

function latencyFrom(value: string | undefined): LatencyModel {
  if (value === undefined || value === '') return { ...LATENCY_PRESETS.realistic };
  if (isLatencyPreset(value)) return { ...LATENCY_PRESETS[value] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new CliError(
      `--latency must be one of ${Object.keys(LATENCY_PRESETS).join(', ')} or a JSON object`,
    );
  }
  const checked = latencySchema.partial().safeParse(parsed);
  if (!checked.success)
    throw new CliError(
      `--latency: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const base = { ...LATENCY_PRESETS.realistic } as LatencyModel;
  for (const [key, knob] of Object.entries(checked.data))
    if (knob !== undefined) Object.assign(base, { [key]: knob });
  return base;
}

export interface CliConfig {
  help: boolean;
  options: EmulatorOptions;
  logLevel: string;
  keyCount: number;
  devKey: boolean;
}

/** Flags and environment -> emulator options; bad values are CliErrors naming the flag. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        keys: { type: 'string' },
        balance: { type: 'string' },
        latency: { type: 'string' },
        'latency-request-ms': { type: 'string' },
        'latency-image-ms': { type: 'string' },
        'latency-step-ms': { type: 'string' },
        parallelism: { type: 'string' },
        capacity: { type: 'string' },
        'capacity-status': { type: 'string' },
        faults: { type: 'string' },
        'idle-timeout-ms': { type: 'string' },
        'session-buffer-ms': { type: 'string' },
        'webhook-attempts': { type: 'string' },
        'webhook-backoff-ms': { type: 'string' },
        'default-ttl': { type: 'string' },
        'sync-timeout-ms': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const flag = (name: string) => values[name] as string | undefined;
  if (values.help) return { help: true, options: {}, logLevel: 'info', keyCount: 0, devKey: false };

  const keys = parseKeyList(flag('keys') ?? env.RUNWARE_EMULATOR_KEYS);
  const latency = latencyFrom(flag('latency') ?? env.RUNWARE_EMULATOR_LATENCY);
  const knobs: [string, keyof LatencyModel][] = [
    ['latency-request-ms', 'requestMs'],
    ['latency-image-ms', 'imageMs'],
    ['latency-step-ms', 'stepMs'],
    ['parallelism', 'parallelism'],
  ];
  for (const [name, key] of knobs) {
    const value =
      key === 'stepMs'
        ? number(`--${name}`, flag(name))
        : integer(`--${name}`, flag(name), key === 'parallelism' ? 1 : 0);
    if (value !== undefined) latency[key] = value;
  }
  const capacityStatus = integer('--capacity-status', flag('capacity-status'));
  if (capacityStatus !== undefined && capacityStatus !== 429 && capacityStatus !== 503) {
    throw new CliError(`--capacity-status must be 429 or 503, got '${capacityStatus}'`);
  }
  const faultsText = flag('faults') ?? env.RUNWARE_EMULATOR_FAULTS;
  let faults: EmulatorOptions['faults'];
  if (faultsText) {
    try {
      faults = parseFaultConfigJson(faultsText);
    } catch (error) {
      throw new CliError(`--faults / RUNWARE_EMULATOR_FAULTS: ${(error as Error).message}`);
    }
  }
  const maxConcurrentPerKey = integer('--capacity', flag('capacity') ?? env.RUNWARE_EMULATOR_CAPACITY, 1);
  const attempts = integer('--webhook-attempts', flag('webhook-attempts'), 1);
  const backoff = integer('--webhook-backoff-ms', flag('webhook-backoff-ms'));
  const options: EmulatorOptions = {
    host: flag('host') ?? env.RUNWARE_EMULATOR_HOST ?? '127.0.0.1',
    port: integer('--port', flag('port') ?? env.RUNWARE_EMULATOR_PORT) ?? 8787,
    apiKeys: keys,
    latency,
    capacity: {
      ...(maxConcurrentPerKey !== undefined ? { maxConcurrentPerKey } : {}),
      ...(capacityStatus !== undefined ? { status: capacityStatus as 429 | 503 } : {}),
    },
    delivery: {
      ...(attempts !== undefined ? { attempts } : {}),
      ...(backoff !== undefined ? { minDelayMs: backoff } : {}),
    },
  };
  const publicUrl = flag('public-url') ?? env.RUNWARE_EMULATOR_PUBLIC_URL;
  if (publicUrl) options.publicUrl = publicUrl;
  const balance = number('--balance', flag('balance') ?? env.RUNWARE_EMULATOR_BALANCE);
  if (balance !== undefined) options.balance = balance;
  if (faults) options.faults = faults;
  const idle = integer('--idle-timeout-ms', flag('idle-timeout-ms'), 1);
  if (idle !== undefined) options.idleTimeoutMs = idle;
  const buffer = integer('--session-buffer-ms', flag('session-buffer-ms'), 0);
  if (buffer !== undefined) options.sessionBufferMs = buffer;
  const ttl = integer('--default-ttl', flag('default-ttl'), 1);
  if (ttl !== undefined) options.defaultTtlSeconds = ttl;
  const syncTimeout = integer('--sync-timeout-ms', flag('sync-timeout-ms'), 1);
  if (syncTimeout !== undefined) options.syncTimeoutMs = syncTimeout;
  return {
    help: false,
    options,
    logLevel: flag('log-level') ?? env.LOG_LEVEL ?? 'info',
    keyCount: Math.max(1, keys.length),
    devKey: keys.length === 0,
  };
}
