import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The tenant of the key the launcher makes when PHOTOMAKER_API_KEYS is unset. */
export const DEMO_TENANT = 'demo';

const generatedSchema = z.object({
  payloadKeys: z.string().min(1),
  webhookSecret: z.string().min(16),
  urlSecret: z.string().min(16),
  emulatorKey: z.string().min(16),
  // Added after the first release: a file without them gets them on its next start.
  metricsToken: z.string().min(16).optional(),
  codecToken: z.string().min(16).optional(),
});
export type GeneratedSecrets = Required<z.infer<typeof generatedSchema>>;

const token = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The operator tokens (base64url: they go into URLs and headers as they are). */
const operatorTokens = () => ({ metricsToken: token(32), codecToken: token(32) });

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
    const secrets: GeneratedSecrets = { ...operatorTokens(), ...parsed.data };
    if (parsed.data.metricsToken === undefined || parsed.data.codecToken === undefined) {
      writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    }
    return secrets;
  }
  const secrets: GeneratedSecrets = {
    payloadKeys: `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}:${randomBytes(32).toString('base64')}`,
    webhookSecret: token(32),
    urlSecret: token(32),
    emulatorKey: `rw-emulator-${token(18)}`,
    ...operatorTokens(),
  };
  mkdirSync(dataDir, { recursive: true });
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
    if (/^\S{16,}$/.test(key)) return key;
  }
  const key = `pm_demo_${token(24)}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
