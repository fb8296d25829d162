import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRedisPassword } from '@photomaker/harness';
import { z } from 'zod';

/** The tenant of the key the launcher makes when PHOTOMAKER_API_KEYS is unset. */
export const DEMO_TENANT = 'demo';

const generatedSchema = z.object({
  payloadKeys: z.string().min(1),
  webhookSecret: z.string().min(16),
  urlSecret: z.string().min(16),
  emulatorKey: z.string().min(16),
  // Added after the first release: a file without them gets them on its next start.
  redisPassword: z.string().min(16).optional(),
  metricsToken: z.string().min(16).optional(),
  codecToken: z.string().min(16).optional(),
});
type StoredSecrets = z.infer<typeof generatedSchema>;
export type GeneratedSecrets = { [K in keyof StoredSecrets]-?: NonNullable<StoredSecrets[K]> };

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/**
 * Secrets added after the first release, generated fresh: the Redis password and the operator tokens
 * (base64url: they go into URLs and headers as they are).
 */
const laterSecrets = () => ({
  redisPassword: generateRedisPassword(),
  metricsToken: token(32),
  codecToken: token(32),
});

/**
 * Secrets the apps need, generated on the first start and kept in `<data dir>/secrets.json` (mode 0600),
 * including the tokens of the operator endpoints (API and worker /metrics, the worker's /codec):
 * the same keys on every start, so Temporal payloads encrypted yesterday still decode and signed image
 * URLs stay valid. Values the user sets in the environment win (see stack-env.ts).
 */
export function ensureSecrets(dataDir: string): GeneratedSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) {
    const parsed = generatedSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      throw new Error(`${file} is damaged: delete it to generate new secrets (old payloads will not decode)`);
    }
    const { redisPassword, metricsToken, codecToken } = parsed.data;
    const fresh = laterSecrets();
    const secrets: GeneratedSecrets = {
      ...parsed.data,
      redisPassword: redisPassword ?? fresh.redisPassword,
      metricsToken: metricsToken ?? fresh.metricsToken,
      codecToken: codecToken ?? fresh.codecToken,
    };
    if (redisPassword === undefined || metricsToken === undefined || codecToken === undefined) {
      writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    }
    return secrets;
  }
  const secrets: GeneratedSecrets = {
    payloadKeys: `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}:${randomBytes(32).toString('base64')}`,
    webhookSecret: token(32),
    urlSecret: token(32),
    emulatorKey: `rw-emulator-${token(18)}`,
    ...laterSecrets(),
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return secrets;
}

/**
 * The demo API key (`pm_demo_...`, tenant `demo`), created once and kept in `<data dir>/demo-api-key`
 * so bookmarks, scripts and the web app keep working across restarts.
 */
export function ensureDemoKey(dataDir: string): string {
  const file = join(dataDir, 'demo-api-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (/^\S{32,}$/.test(key)) return key;
  }
  const key = `pm_demo_${token(24)}`;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
