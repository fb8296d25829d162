/**
 * A tenant's effective limits (issue #12): the tenants file's values over the env defaults
 * (`PHOTOMAKER_TENANT_DEFAULT_*`). Undefined means unlimited. Counted in jobs, images and USD, not requests;
 * the counting lives with job submission, this module only says what the limits are.
 */
export interface TenantLimits {
  /** Jobs of the tenant running at once. */
  maxRunningJobs?: number | undefined;
  /** Jobs of the tenant waiting for a slot. */
  maxQueuedJobs?: number | undefined;
  imagesPerMinute?: number | undefined;
  imagesPerDay?: number | undefined;
  /** Spend cap per UTC day, in USD (Runware's reported cost, else `pricePerImageUsd` per image). */
  spendPerDayUsd?: number | undefined;
  /** The price counted per image when Runware reports no cost. */
  pricePerImageUsd?: number | undefined;
}

export const TENANT_LIMIT_FIELDS = [
  'maxRunningJobs',
  'maxQueuedJobs',
  'imagesPerMinute',
  'imagesPerDay',
  'spendPerDayUsd',
  'pricePerImageUsd',
] as const satisfies readonly (keyof TenantLimits)[];
