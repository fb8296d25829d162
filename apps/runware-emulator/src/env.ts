import { decimal, httpUrl, integer } from '@photomaker/env';
import { logEnv } from '@photomaker/observability';
import { z } from 'zod';
import { DEV_API_KEY, parseKeyList } from './auth.ts';
import { latencyFromText } from './config/latency.ts';
import { parseFaultConfigJson } from './faults/fault-config.ts';

const latency = z.string().transform((text, ctx) => {
  const parsed = latencyFromText(text.trim());
  if (parsed.ok) return parsed.model;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

const faults = z.string().transform((text, ctx) => {
  try {
    return parseFaultConfigJson(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/**
 * Everything the emulator process reads from its environment. Each variable also has a flag, which
 * wins (config/flags.ts); config/cli.ts parses both through this schema.
 */
export const emulatorEnv = z.object({
  RUNWARE_EMULATOR_PORT: integer(0, 65535).prefault('8787').describe('Port (0 = any free port)'),
  RUNWARE_EMULATOR_HOST: z.string().trim().min(1).default('127.0.0.1').describe('Bind address'),
  RUNWARE_EMULATOR_PUBLIC_URL: httpUrl
    .optional()
    .describe('Base of image URLs')
    .meta({ defaultText: '`http://<host>:<port>`' }),
  RUNWARE_EMULATOR_KEYS: z
    .string()
    .transform(parseKeyList)
    .optional()
    .describe('Accepted API keys, comma-separated')
    .meta({ secret: true, defaultText: `the dev key \`${DEV_API_KEY}\`` }),
  RUNWARE_EMULATOR_BALANCE: decimal(0)
    .optional()
    .describe('Account balance in USD')
    .meta({ defaultText: '1000' }),
  RUNWARE_EMULATOR_LATENCY: latency
    .prefault('realistic')
    .describe('Latency preset `none`, `fast`, `realistic`, or JSON knobs over `realistic`'),
  RUNWARE_EMULATOR_CAPACITY: integer(1)
    .optional()
    .describe('Concurrent generations per key')
    .meta({ defaultText: '32' }),
  RUNWARE_EMULATOR_FAULTS: faults
    .optional()
    .describe('Fault config JSON (see README), also PUT /admin/faults'),
  ...logEnv.shape,
});

export type EmulatorEnv = z.output<typeof emulatorEnv>;
