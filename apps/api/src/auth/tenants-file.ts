import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { MAX_RETENTION_DAYS, type RetentionOverrides } from '@photomaker/retention/policy';
import { REFERENCE_CHECK_MODES, type ReferenceCheckMode } from '@photomaker/schema';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { TENANT_PATTERN } from './api-keys.ts';
import type { TenantLimits } from './tenant-limits.ts';

/**
 * The tenants file (`PHOTOMAKER_TENANTS_FILE`, JSON or YAML by extension): per tenant its API keys (sha256
 * digests only), limits and defaults. Every problem names the tenant and the field, e.g.
 * `tenants.alice.limits.imagesPerDay: expected a whole number >= 0`. Sample: apps/api/README.md "Tenants".
 */

export const PRIORITIES = ['HIGH', 'NORMAL', 'LOW'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Per-tenant defaults a job gets when it does not say. */
export interface TenantDefaults {
  priority?: Priority | undefined;
  /** How a job's reference photos are checked (issue #17) when the job does not say; else OFF. */
  referenceCheck?: ReferenceCheckMode | undefined;
}

export interface TenantSettings {
  /** sha256 digests of the tenant's keys (32 bytes each). */
  keyDigests: Buffer[];
  limits: TenantLimits;
  defaults: TenantDefaults;
  /** Days its data is kept, where the file says (`PHOTOMAKER_RETENTION_*` for the rest). */
  retention: RetentionOverrides;
  /** Its keys may read every tenant's usage (the `usage` query's admin view); absent: not an admin. */
  admin?: boolean;
}

/** Tenant id -> settings, as the file says (env defaults are applied by the directory). */
export type TenantsFile = Map<string, TenantSettings>;

export class TenantsFileError extends Error {
  constructor(file: string, problems: string[]) {
    super(`tenants file ${file}:\n  ${problems.join('\n  ')}`);
    this.name = 'TenantsFileError';
  }
}

const HASH_HINT =
  "expected sha256:<64 hex digits>; the file holds digests only: hash a key with `printf %s 'KEY' | sha256sum`";
const WHOLE = 'expected a whole number >= 0';
const USD = 'expected a number of USD >= 0';

const whole = z.int({ error: WHOLE }).min(0, { error: WHOLE }).optional();
const usd = z.number({ error: USD }).min(0, { error: USD }).optional();

const limitsSchema = z.strictObject(
  {
    maxRunningJobs: whole,
    maxQueuedJobs: whole,
    imagesPerMinute: whole,
    imagesPerDay: whole,
    spendPerDayUsd: usd,
    pricePerImageUsd: usd,
  },
  { error: 'expected an object of limits' },
);

const DAYS = `expected a number of days from 0 to ${MAX_RETENTION_DAYS}`;
const days = z
  .number({ error: DAYS })
  .min(0, { error: DAYS })
  .max(MAX_RETENTION_DAYS, { error: DAYS })
  .optional();

const retentionSchema = z.strictObject(
  { outputDays: days, referenceDays: days, jobDays: days },
  { error: 'expected an object of retention days' },
);

const tenantSchema = z.strictObject(
  {
    apiKeys: z
      .array(z.string({ error: HASH_HINT }).regex(/^sha256:[0-9a-fA-F]{64}$/, { error: HASH_HINT }), {
        error: 'expected a list of sha256:<hex> digests',
      })
      .min(1, { error: 'expected at least one key digest' }),
    limits: limitsSchema.optional(),
    admin: z.boolean({ error: 'expected true or false' }).optional(),
    defaults: z
      .strictObject(
        {
          priority: z.enum(PRIORITIES, { error: 'expected HIGH, NORMAL or LOW' }).optional(),
          referenceCheck: z.enum(REFERENCE_CHECK_MODES, { error: 'expected STRICT, WARN or OFF' }).optional(),
        },
        { error: 'expected an object of defaults' },
      )
      .optional(),
    retention: retentionSchema.optional(),
  },
  { error: 'expected an object with apiKeys' },
);

const fileSchema = z.strictObject(
  {
    tenants: z.record(
      z.string().regex(TENANT_PATTERN, { error: `tenant id must match ${TENANT_PATTERN}` }),
      tenantSchema,
      { error: 'expected an object of tenants keyed by id' },
    ),
  },
  { error: 'expected an object with `tenants`' },
);

/** `tenants.alice.limits.imagesPerDay: <message>`; an unknown field is named as the field itself. */
function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${[...path, key].join('.')}: unknown field`);
  }
  if (issue.code === 'invalid_key') return [`${path.join('.')}: tenant id must match ${TENANT_PATTERN}`];
  return [`${path.join('.') || '(file)'}: ${issue.message}`];
}

function parseText(file: string, text: string): unknown {
  const extension = extname(file).toLowerCase();
  if (extension === '.json') return JSON.parse(text);
  if (extension === '.yaml' || extension === '.yml') return parseYaml(text);
  throw new TenantsFileError(file, ['the file name must end in .json, .yaml or .yml']);
}

/** Parses the file's text; throws TenantsFileError naming every problem (tenant and field). */
export function parseTenantsFile(file: string, text: string): TenantsFile {
  let raw: unknown;
  try {
    raw = parseText(file, text);
  } catch (error) {
    if (error instanceof TenantsFileError) throw error;
    throw new TenantsFileError(file, [
      `not valid ${extname(file).slice(1).toUpperCase()}: ${(error as Error).message}`,
    ]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) throw new TenantsFileError(file, parsed.error.issues.flatMap(describeIssue));
  const tenants: TenantsFile = new Map();
  for (const [id, tenant] of Object.entries(parsed.data.tenants)) {
    tenants.set(id, {
      keyDigests: tenant.apiKeys.map((key) => Buffer.from(key.slice('sha256:'.length), 'hex')),
      limits: tenant.limits ?? {},
      defaults: tenant.defaults ?? {},
      retention: tenant.retention ?? {},
      ...(tenant.admin === true ? { admin: true } : {}),
    });
  }
  return tenants;
}

export function readTenantsFile(file: string): TenantsFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TenantsFileError(file, [`cannot read: ${(error as Error).message}`]);
  }
  return parseTenantsFile(file, text);
}
