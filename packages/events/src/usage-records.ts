import { familyPrefix, type KeyLayout, layoutOf } from './keyspace.ts';
import { LuaScript } from './lua-script.ts';
import type { RedisClient } from './redis-client.ts';

/** How a job ended, as usage reports count it (a deadline that passed is TIMED_OUT, not CANCELLED). */
export const USAGE_OUTCOMES = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'TIMED_OUT'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

/** One finished job, as recorded once. No prompt, no image, no key: a key is named by its id (a digest prefix). */
export interface JobUsage {
  jobId: string;
  tenant: string;
  /** The API key's id (`keyId`: a sha256 prefix), '' when the job did not say (older jobs). */
  keyId: string;
  model: string;
  outcome: UsageOutcome;
  /** ISO-8601: when the job ended; its UTC day is the day it counts on. */
  finishedAt: string;
  /** Per image the job holds: Runware's cost in USD, or null when Runware reported none. */
  imageCosts: readonly (number | null)[];
}

/** One (tenant, UTC day, model, key) cell: jobs by outcome, images, cost. */
export interface UsageCell {
  tenant: string;
  day: string;
  model: string;
  keyId: string;
  jobs: Record<UsageOutcome, number>;
  images: number;
  /** USD, summed in nano-USD (exact) from the per-image costs. */
  costUsd: number;
  /** Images Runware reported no cost for, and the jobs holding them: counted apart from costUsd. */
  imagesWithoutCost: number;
  jobsWithoutCost: number;
}

const NANO = 1_000_000_000;
const SEP = '\u001f';
const DAY_MS = 86_400_000;
/** Usage cells are kept this long (a report covers at most a year). */
const DATA_TTL_SECONDS = 400 * 86_400;
/**
 * Which jobs a day already counts: long enough for any re-run of the recording step (an activity retry,
 * a workflow task replayed after a crash), short enough that the set stays small.
 */
const RECORDED_TTL_SECONDS = 8 * 86_400;

// KEYS: recorded-jobs hash of the day, the day's cells of the tenant, the day's tenant set. ARGV: jobId,
// tenant, recorded TTL, data TTL, then (field, increment) pairs. HSETNX makes it idempotent: a job is
// counted by the first call only, whatever retries or re-runs follow. One hash tag on a cluster.
const RECORD_SCRIPT = new LuaScript(`
if redis.call('HSETNX', KEYS[1], ARGV[1], '1') == 0 then return 0 end
redis.call('EXPIRE', KEYS[1], ARGV[3])
for i = 5, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[4])
return 1
`);

export const dayOfIso = (iso: string) => new Date(Date.parse(iso)).toISOString().slice(0, 10);

/** Every UTC day from `from` to `to` (YYYY-MM-DD, both included). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY_MS) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** The counter increments of one job: its outcome, its images, its cost (nano-USD) or its images without. */
function increments(usage: JobUsage): [string, number][] {
  const cell = `${usage.model}${SEP}${usage.keyId}${SEP}`;
  let nano = 0;
  let withoutCost = 0;
  for (const cost of usage.imageCosts) {
    if (cost === null) withoutCost += 1;
    else nano += Math.round(cost * NANO);
  }
  const out: [string, number][] = [[`${cell}jobs.${usage.outcome}`, 1]];
  if (usage.imageCosts.length > 0) out.push([`${cell}images`, usage.imageCosts.length]);
  if (nano > 0) out.push([`${cell}costNano`, nano]);
  if (withoutCost > 0) out.push([`${cell}imagesWithoutCost`, withoutCost], [`${cell}jobsWithoutCost`, 1]);
  return out;
}

function emptyCell(tenant: string, day: string, model: string, keyId: string): UsageCell {
  return {
    tenant,
    day,
    model,
    keyId,
    jobs: { SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, TIMED_OUT: 0 },
    images: 0,
    costUsd: 0,
    imagesWithoutCost: 0,
    jobsWithoutCost: 0,
  };
}

/** A day's hash of one tenant -> its cells. */
function cellsOf(tenant: string, day: string, fields: Record<string, string>): UsageCell[] {
  const cells = new Map<string, UsageCell & { nano: number }>();
  for (const [field, raw] of Object.entries(fields)) {
    const [model = '', keyId = '', metric = ''] = field.split(SEP);
    const id = `${model}${SEP}${keyId}`;
    const cell = cells.get(id) ?? { ...emptyCell(tenant, day, model, keyId), nano: 0 };
    const value = Number(raw);
    if (metric.startsWith('jobs.')) {
      const outcome = metric.slice(5) as UsageOutcome;
      if (outcome in cell.jobs) cell.jobs[outcome] += value;
    } else if (metric === 'images') cell.images += value;
    else if (metric === 'costNano') cell.nano += value;
    else if (metric === 'imagesWithoutCost') cell.imagesWithoutCost += value;
    else if (metric === 'jobsWithoutCost') cell.jobsWithoutCost += value;
    cells.set(id, cell);
  }
  return [...cells.values()].map(({ nano, ...cell }) => ({ ...cell, costUsd: nano / NANO }));
}

/**
 * Durable usage per tenant, UTC day, model and API key, written once per job as it finishes (the worker's
 * `recordUsage` step) and read by usage reports. Counters, not a log: a report over a year reads at most
 * 366 hashes per tenant. Idempotent per job id (see RECORD_SCRIPT), so a retried or re-run recording step
 * counts each job and each of its images once. Holds no personal data: tenant ids, model AIRs, key ids.
 */
export class UsageRecords {
  private readonly redis: RedisClient;
  private readonly prefix: string;

  constructor(redis: RedisClient, layout: KeyLayout = layoutOf(redis)) {
    this.redis = redis;
    this.prefix = familyPrefix('accounting', layout);
  }

  /** Counts a finished job; false when it was counted already (nothing changes). */
  async record(usage: JobUsage): Promise<boolean> {
    const day = dayOfIso(usage.finishedAt);
    const keys = [
      `${this.prefix}:recorded:${day}`,
      this.cellsKey(day, usage.tenant),
      `${this.prefix}:tenants:${day}`,
    ];
    const args = [
      usage.jobId,
      usage.tenant,
      RECORDED_TTL_SECONDS,
      DATA_TTL_SECONDS,
      ...increments(usage).flat(),
    ];
    return (await RECORD_SCRIPT.run(this.redis, keys, args)) === 1;
  }

  /** The cells of these days for these tenants (every tenant with usage when `tenants` is 'all'). */
  async cells(days: readonly string[], tenants: readonly string[] | 'all'): Promise<UsageCell[]> {
    const wanted: [string, string][] = [];
    if (tenants === 'all') {
      const members = await Promise.all(
        days.map((day) => this.redis.smembers(`${this.prefix}:tenants:${day}`)),
      );
      days.forEach((day, index) => {
        for (const tenant of members[index] ?? []) wanted.push([day, tenant]);
      });
    } else {
      for (const day of days) for (const tenant of tenants) wanted.push([day, tenant]);
    }
    const hashes = await Promise.all(
      wanted.map(([day, tenant]) => this.redis.hgetall(this.cellsKey(day, tenant))),
    );
    return wanted.flatMap(([day, tenant], index) => cellsOf(tenant, day, hashes[index] ?? {}));
  }

  private cellsKey(day: string, tenant: string): string {
    return `${this.prefix}:day:${day}:${encodeURIComponent(tenant)}`;
  }
}
