import { ApiKeyStore, findKey, type KeyEntry, keyIdOf, type Principal } from './api-keys.ts';
import type { TenantLimits } from './tenant-limits.ts';
import type { TenantDefaults, TenantSettings, TenantsFile } from './tenants-file.ts';

/** What every tenant gets unless the tenants file says otherwise (`PHOTOMAKER_TENANT_DEFAULT_*`). */
export interface TenantBaseline {
  limits: TenantLimits;
  defaults: TenantDefaults;
}

/** One tenant as the platform applies it: the file's values over the env baseline. */
export interface Tenant {
  id: string;
  limits: TenantLimits;
  defaults: TenantDefaults;
  /** The tenants file's retention days (PHOTOMAKER_RETENTION_* fill the rest). */
  retention?: TenantSettings['retention'];
  /** Present (true) for an admin tenant only. */
  admin?: true;
}

export class TenantDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TenantDirectoryError';
  }
}

/** `{...base, ...over}` without letting an absent field of `over` erase one of `base`. */
function overlay<T extends object>(base: T, over: T): T {
  const merged: T = { ...base };
  for (const [field, value] of Object.entries(over)) {
    if (value !== undefined) (merged as Record<string, unknown>)[field] = value;
  }
  return merged;
}

/**
 * Who a key belongs to, and that tenant's effective limits and defaults: one immutable snapshot of the
 * key sources (`PHOTOMAKER_API_KEYS` / `_FILE` and the tenants file), merged. A reload builds a new one
 * (tenants-reload.ts) and swaps it whole, so a request never sees half a configuration.
 */
export class TenantDirectory {
  private readonly entries: readonly KeyEntry[];
  private readonly byId: ReadonlyMap<string, Tenant>;

  private constructor(entries: KeyEntry[], byId: Map<string, Tenant>) {
    this.entries = entries;
    this.byId = byId;
  }

  /**
   * Merges the key spec (tenants from it get the baseline) with the tenants file. A key held by two
   * tenants is refused: which one a caller is would depend on the order of entries.
   */
  static build(sources: {
    keysSpec?: string | undefined;
    file?: TenantsFile | undefined;
    baseline: TenantBaseline;
    /** PHOTOMAKER_ADMIN_TENANTS: admins besides those the file marks `admin: true`. */
    adminTenants?: readonly string[] | undefined;
  }) {
    const { keysSpec, file, baseline } = sources;
    const admins = new Set(sources.adminTenants ?? []);
    const entries: KeyEntry[] = keysSpec ? [...new ApiKeyStore(keysSpec).keys] : [];
    const byId = new Map<string, Tenant>();
    for (const entry of entries) {
      byId.set(entry.tenant, {
        id: entry.tenant,
        limits: { ...baseline.limits },
        defaults: { ...baseline.defaults },
        ...(admins.has(entry.tenant) ? { admin: true as const } : {}),
      });
    }
    for (const [id, settings] of file ?? []) {
      for (const digest of settings.keyDigests) entries.push({ tenant: id, digest });
      byId.set(id, {
        id,
        limits: overlay(baseline.limits, settings.limits),
        defaults: overlay(baseline.defaults, settings.defaults),
        ...(Object.keys(settings.retention).length > 0 ? { retention: settings.retention } : {}),
        ...(settings.admin || admins.has(id) ? { admin: true as const } : {}),
      });
    }
    if (entries.length === 0) throw new TenantDirectoryError('no API keys configured');
    return new TenantDirectory(dedupe(entries), byId);
  }

  get size(): number {
    return this.entries.length;
  }

  get tenants(): string[] {
    return [...this.byId.keys()];
  }

  tenant(id: string): Tenant | undefined {
    return this.byId.get(id);
  }

  /**
   * Who holds `key`, or undefined. Every entry is compared, so timing does not depend on which matched.
   * `keyId` (a digest prefix, safe to log) identifies the key for rate limiting.
   */
  identify(key: string | undefined | null): Principal | undefined {
    const found = findKey(this.entries, key);
    const tenant = found && this.byId.get(found.tenant);
    if (!(found && tenant)) return undefined;
    return {
      tenant: tenant.id,
      keyId: keyIdOf(found),
      limits: tenant.limits,
      defaults: tenant.defaults,
      ...(tenant.admin ? { admin: true } : {}),
    };
  }
}

/** One entry per key; the same key under two tenants is a configuration error (names both, not the key). */
function dedupe(entries: KeyEntry[]): KeyEntry[] {
  const seen = new Map<string, string>();
  const unique: KeyEntry[] = [];
  for (const entry of entries) {
    const hex = entry.digest.toString('hex');
    const holder = seen.get(hex);
    if (holder !== undefined && holder !== entry.tenant) {
      throw new TenantDirectoryError(
        `the key with digest sha256:${hex.slice(0, 12)}… is held by two tenants (${holder}, ${entry.tenant})`,
      );
    }
    if (holder === undefined) unique.push(entry);
    seen.set(hex, entry.tenant);
  }
  return unique;
}
