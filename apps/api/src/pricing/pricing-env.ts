import { httpUrl } from '@photomaker/env';
import { z } from 'zod';

/** The emulator's built-in key (apps/runware-emulator README "The dev key"): loopback endpoints only. */
const EMULATOR_DEV_KEY = 'rw-emulator-dev-key';

/**
 * Where estimates get their price: Runware's dry run (`X-Runware-Dry-Run: 1`), with the same endpoint and
 * key the worker submits with. The API never submits work to Runware; it only asks for prices.
 */
export const runwarePricingEnv = z.object({
  RUNWARE_BASE_URL: httpUrl
    .default('http://127.0.0.1:8787/v1')
    .describe(
      'Runware endpoint (REST) asked for dry-run prices by estimates; the default is the local emulator',
    ),
  RUNWARE_API_KEY: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe(
      'Runware API key for dry-run prices; without one a remote endpoint is not asked (configured prices)',
    )
    .meta({ secret: true, defaultText: 'the emulator’s dev key, on a loopback endpoint only' }),
});

export interface RunwarePricingConfig {
  baseUrl: string;
  apiKey: string;
}

const isLoopback = (url: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:|\/|$)/i.test(url);

/**
 * The Runware endpoint estimates ask, or undefined (every estimate uses the tenant's configured price):
 * a remote endpoint without a key is not asked, a loopback one (the emulator) uses the dev key.
 */
export function runwarePricingOf(
  e: z.output<typeof runwarePricingEnv>,
  warnings: string[],
): RunwarePricingConfig | undefined {
  if (e.RUNWARE_API_KEY) return { baseUrl: e.RUNWARE_BASE_URL, apiKey: e.RUNWARE_API_KEY };
  if (isLoopback(e.RUNWARE_BASE_URL)) return { baseUrl: e.RUNWARE_BASE_URL, apiKey: EMULATOR_DEV_KEY };
  warnings.push(
    `RUNWARE_API_KEY unset: estimates use each tenant's configured price per image, not ${new URL(e.RUNWARE_BASE_URL).origin}'s dry run`,
  );
  return undefined;
}
