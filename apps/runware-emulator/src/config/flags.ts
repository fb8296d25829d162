import { decimal, integer } from '@photomaker/env';
import { z } from 'zod';
import type { emulatorEnv } from '../env.ts';

type EnvName = keyof typeof emulatorEnv.shape;

/** The flag of each environment variable (the flag wins), with the placeholder `--help` shows. */
export const ENV_FLAGS: Record<EnvName, { flag: string; arg: string }> = {
  RUNWARE_EMULATOR_PORT: { flag: 'port', arg: '<n>' },
  RUNWARE_EMULATOR_HOST: { flag: 'host', arg: '<addr>' },
  RUNWARE_EMULATOR_PUBLIC_URL: { flag: 'public-url', arg: '<url>' },
  RUNWARE_EMULATOR_KEYS: { flag: 'keys', arg: '<k1,k2>' },
  RUNWARE_EMULATOR_BALANCE: { flag: 'balance', arg: '<usd>' },
  RUNWARE_EMULATOR_LATENCY: { flag: 'latency', arg: '<preset|json>' },
  RUNWARE_EMULATOR_CAPACITY: { flag: 'capacity', arg: '<n>' },
  RUNWARE_EMULATOR_FAULTS: { flag: 'faults', arg: '<json>' },
  LOG_LEVEL: { flag: 'log-level', arg: '<level>' },
};

/** Settings that are flags only (tuning for tests and benchmarks). */
export const flagOnlySchema = z.object({
  'latency-request-ms': integer(0).optional().describe('Overhead per request'),
  'latency-image-ms': integer(0).optional().describe('Fixed time per image'),
  'latency-step-ms': decimal(0).optional().describe('Time per step per megapixel (min 0.25 MP)'),
  parallelism: integer(1).optional().describe('Images of one task generated at once'),
  'capacity-status': z
    .enum(['429', '503'], { error: 'must be 429 or 503' })
    .transform((status): 429 | 503 => (status === '503' ? 503 : 429))
    .optional()
    .describe('Status when capacity is exceeded')
    .meta({ defaultText: '429' }),
  'idle-timeout-ms': integer(1)
    .optional()
    .describe('Close silent WebSockets')
    .meta({ defaultText: '120000' }),
  'session-buffer-ms': integer(0)
    .optional()
    .describe('Keep undelivered WS frames')
    .meta({ defaultText: '120000' }),
  'webhook-attempts': integer(1).optional().describe('Webhook/upload attempts').meta({ defaultText: '5' }),
  'webhook-backoff-ms': integer(0).optional().describe('First retry delay').meta({ defaultText: '200' }),
  'default-ttl': integer(1)
    .optional()
    .describe('Image URL lifetime without ttl, s')
    .meta({ defaultText: '86400' }),
  'sync-timeout-ms': integer(1)
    .optional()
    .describe("REST sync wait before 'timeout'")
    .meta({ defaultText: '300000' }),
  'ws-sync-timeout-ms': integer(1)
    .optional()
    .describe("WebSocket sync wait before 'timeout'")
    .meta({ defaultText: '120000' }),
});

export type FlagOnly = z.output<typeof flagOnlySchema>;

export const FLAG_ARGS: Record<keyof typeof flagOnlySchema.shape, string> = {
  'latency-request-ms': '<n>',
  'latency-image-ms': '<n>',
  'latency-step-ms': '<n>',
  parallelism: '<n>',
  'capacity-status': '<429|503>',
  'idle-timeout-ms': '<n>',
  'session-buffer-ms': '<n>',
  'webhook-attempts': '<n>',
  'webhook-backoff-ms': '<n>',
  'default-ttl': '<s>',
  'sync-timeout-ms': '<n>',
  'ws-sync-timeout-ms': '<n>',
};

/** Every flag as a `node:util` parseArgs option: all take a string, except `--help`. */
export function parseArgsOptions(): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const names = [...Object.values(ENV_FLAGS).map((f) => f.flag), ...Object.keys(flagOnlySchema.shape)];
  return {
    ...Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
    help: { type: 'boolean', short: 'h' },
  };
}
