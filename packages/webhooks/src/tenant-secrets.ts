import { hkdfSync } from 'node:crypto';

/** Standard Webhooks secrets are `whsec_` + the base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_';

/** The master secret when none is set: fine on a laptop, and the API and worker agree on it. */
export const DEV_WEBHOOK_MASTER_SECRET = 'photomaker-dev-webhook-secret';

/** As API key tenants (apps/api/src/auth/api-keys.ts). */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const KEY_BYTES = { min: 24, max: 64 };

/**
 * A tenant's secret derived from the master secret: HKDF-SHA256 with info "webhook:<tenant>". Every
 * worker replica and the API compute the same value without storing it, and knowing one tenant's secret
 * tells nothing about the master or another tenant's.
 */
export function deriveWebhookSecret(master: string, tenant: string): string {
  const key = hkdfSync('sha256', master, '', `webhook:${tenant}`, 32);
  return `${SECRET_PREFIX}${Buffer.from(key).toString('base64')}`;
}

/** Why a `whsec_...` value is unusable, or undefined when it is fine. */
function secretProblem(secret: string): string | undefined {
  if (!secret.startsWith(SECRET_PREFIX)) return `must start with ${SECRET_PREFIX}`;
  const base64 = secret.slice(SECRET_PREFIX.length);
  const bytes = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || bytes.toString('base64') !== base64)
    return `must be ${SECRET_PREFIX} followed by base64`;
  if (bytes.length < KEY_BYTES.min || bytes.length > KEY_BYTES.max)
    return `must hold ${KEY_BYTES.min} to ${KEY_BYTES.max} bytes (got ${bytes.length})`;
  return undefined;
}

/** `tenant:whsec_...` entries, comma- or newline-separated; throws naming the first bad entry. */
export function parseTenantSecrets(raw: string | undefined): Map<string, string[]> {
  const byTenant = new Map<string, string[]>();
  const entries = (raw ?? '')
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const tenant = entry.slice(0, Math.max(colon, 0));
    const secret = entry.slice(colon + 1);
    const problem = TENANT.test(tenant) ? secretProblem(secret) : `tenant must match ${TENANT}`;
    if (problem) throw new Error(`entry ${index + 1} (tenant:whsec_...): ${problem}`);
    byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), secret]);
  });
  return byTenant;
}

/**
 * Each tenant's webhook signing secrets: the ones configured for it (several while rotating, the first
 * current), else the one derived from the master secret.
 */
export class TenantWebhookSecrets {
  private readonly master: string;
  private readonly configured: Map<string, string[]>;

  constructor(options: { master: string; configured?: string | undefined }) {
    this.master = options.master;
    this.configured = parseTenantSecrets(options.configured);
  }

  /** The secret a tenant's receivers verify with (what the tenant is told). */
  current(tenant: string): string {
    return this.signing(tenant)[0] as string;
  }

  /** Every secret a delivery is signed with: receivers holding any one of them accept it. */
  signing(tenant: string): readonly string[] {
    return this.configured.get(tenant) ?? [deriveWebhookSecret(this.master, tenant)];
  }
}
