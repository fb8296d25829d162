import { createHash, timingSafeEqual } from 'node:crypto';
import type { TenantLimits } from './tenant-limits.ts';
import type { TenantDefaults } from './tenants-file.ts';

/**
 * API keys -> tenants. Only sha256 digests are kept in memory; a presented key is hashed and compared
 * against every entry in constant time. Spec (env `PHOTOMAKER_API_KEYS` and/or the lines of
 * `PHOTOMAKER_API_KEYS_FILE`): comma- or newline-separated `tenant:key`, or `tenant:sha256:<hex>` so a
 * file need not hold the key itself. `#` starts a comment line in files.
 */
/** Shorter keys are refused at start: a key is the whole secret, and short ones are guessable. */
const MIN_API_KEY_LENGTH = 32;

export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export class ApiKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiKeyConfigError';
  }
}

export interface Principal {
  tenant: string;
  keyId: string;
  /** The tenant's effective limits (file over env defaults); {} = unlimited. */
  limits: TenantLimits;
  /** The tenant's job defaults (e.g. priority), when the tenants file or env sets any. */
  defaults?: TenantDefaults;
  /** An admin tenant's key (tenants file `admin: true`, PHOTOMAKER_ADMIN_TENANTS): reads every tenant's usage. */
  admin?: boolean;
}

export interface KeyEntry {
  tenant: string;
  /** sha256 of the key (32 bytes). */
  digest: Buffer;
}

export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export class ApiKeyStore {
  private readonly entries: KeyEntry[] = [];

  constructor(spec: string) {
    const items = spec
      .split(/[\n,]/)
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const [position, item] of items.entries()) {
      const colon = item.indexOf(':');
      const tenant = colon > 0 ? item.slice(0, colon) : '';
      const rest = colon > 0 ? item.slice(colon + 1) : '';
      // Never echo the item itself: it holds a key.
      if (!TENANT_PATTERN.test(tenant))
        throw new ApiKeyConfigError(`API key entry #${position + 1}: tenant must match ${TENANT_PATTERN}`);
      const hashed = /^sha256:([0-9a-f]{64})$/i.exec(rest);
      if (hashed?.[1]) {
        this.entries.push({ tenant, digest: Buffer.from(hashed[1], 'hex') });
      } else if (rest.length >= MIN_API_KEY_LENGTH) {
        this.entries.push({ tenant, digest: hashApiKey(rest) });
      } else {
        throw new ApiKeyConfigError(
          `API key entry #${position + 1} (tenant ${tenant}): the key must be at least ${MIN_API_KEY_LENGTH} characters (or a sha256:<hex> digest)`,
        );
      }
    }
    if (this.entries.length === 0) throw new ApiKeyConfigError('no API keys configured');
  }

  get size(): number {
    return this.entries.length;
  }

  /** Tenant + digest of each key (the tenant directory merges them with the tenants file's). */
  get keys(): readonly KeyEntry[] {
    return this.entries;
  }

  get tenants(): string[] {
    return [...new Set(this.entries.map((entry) => entry.tenant))];
  }

  /**
   * Who holds `key`, or undefined. Every entry is compared, so timing does not depend on which matched.
   * `keyId` (a digest prefix, safe to log) identifies the key for rate limiting.
   */
  identify(key: string | undefined | null): Principal | undefined {
    const found = findKey(this.entries, key);
    return found ? { tenant: found.tenant, keyId: keyIdOf(found), limits: {} } : undefined;
  }
}

/** The entry holding `key`. Every entry is compared, so timing does not depend on which matched. */
export function findKey(entries: readonly KeyEntry[], key: string | undefined | null): KeyEntry | undefined {
  if (!key) return undefined;
  const digest = hashApiKey(key);
  let found: KeyEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry;
  }
  return found;
}

/** A digest prefix, safe to log: identifies the key for rate limiting. */
export function keyIdOf(entry: KeyEntry): string {
  return entry.digest.subarray(0, 6).toString('hex');
}

/** `Bearer <key>` (case-insensitive scheme) -> key. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
