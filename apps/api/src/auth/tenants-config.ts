import type { z } from 'zod';
import type { apiTenantsEnv } from '../env.ts';
import { type TenantBaseline, TenantDirectory } from './tenant-directory.ts';
import { readTenantsFile } from './tenants-file.ts';

/** Where the tenant directory comes from: read at start, and again on every reload. */
export interface TenantSources {
  /** `PHOTOMAKER_API_KEYS` / `_FILE` lines (possibly empty when a tenants file is set). */
  keysSpec: string;
  /** `PHOTOMAKER_TENANTS_FILE`. */
  file: string | undefined;
  /** `PHOTOMAKER_TENANT_DEFAULT_*`. */
  baseline: TenantBaseline;
  /** `PHOTOMAKER_ADMIN_TENANTS`. */
  adminTenants?: readonly string[] | undefined;
}

export function tenantBaselineFrom(e: z.output<typeof apiTenantsEnv>): TenantBaseline {
  const limits = {
    maxRunningJobs: e.PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS,
    maxQueuedJobs: e.PHOTOMAKER_TENANT_DEFAULT_MAX_QUEUED_JOBS,
    imagesPerMinute: e.PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_MINUTE,
    imagesPerDay: e.PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY,
    spendPerDayUsd: e.PHOTOMAKER_TENANT_DEFAULT_SPEND_PER_DAY_USD,
    pricePerImageUsd: e.PHOTOMAKER_TENANT_DEFAULT_PRICE_PER_IMAGE_USD,
  };
  return {
    // Only the set ones: an absent field means unlimited, and keeps log lines and tests readable.
    limits: Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined)),
    defaults: {
      ...(e.PHOTOMAKER_TENANT_DEFAULT_PRIORITY ? { priority: e.PHOTOMAKER_TENANT_DEFAULT_PRIORITY } : {}),
      ...(e.PHOTOMAKER_TENANT_DEFAULT_REFERENCE_CHECK
        ? { referenceCheck: e.PHOTOMAKER_TENANT_DEFAULT_REFERENCE_CHECK }
        : {}),
    },
  };
}

/** Reads the tenants file (when set) and merges it with the key spec; throws on a configuration error. */
export function loadTenantDirectory(sources: TenantSources): TenantDirectory {
  return TenantDirectory.build({
    keysSpec: sources.keysSpec,
    file: sources.file ? readTenantsFile(sources.file) : undefined,
    baseline: sources.baseline,
    adminTenants: sources.adminTenants,
  });
}
