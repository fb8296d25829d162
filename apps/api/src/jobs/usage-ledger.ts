import { familyPrefix, LuaScript, layoutOf, type RedisClient } from '@photomaker/events';
import type { TenantLimits } from '../auth/tenant-limits.ts';

export type { TenantLimits };

export type LimitName = 'maxQueuedJobs' | 'imagesPerMinute' | 'imagesPerDay' | 'spendPerDayUsd';

/** Why a submission is refused: which limit, its value, where the tenant stands, and when to retry. */
export interface LimitRefusal {
  /** RATE_LIMITED: a window or a slot frees soon. QUOTA_EXCEEDED: the day's images or spend are used up. */
  code: 'RATE_LIMITED' | 'QUOTA_EXCEEDED';
  limitName: LimitName;
  limit: number;
  /** The count (or USD) already used; the refused request would have added to it. */
  current: number;
  retryAfterSeconds: number;
}

/**
 * What a reservation did: refused (nothing counted), or counted the jobs in `held`. A job already held
 * (the same job id reserved by a concurrent request, an idempotent replay) is neither counted again nor
 * taken over: only the request that holds a job may refund it.
 */
export type Reservation = { ok: true; held: string[] } | { ok: false; refusal: LimitRefusal };

/** One job to reserve: its id and how many images it generates. */
export interface JobUsage {
  jobId: string;
  images: number;
}

const MICROS = 1_000_000;
/** How long a caller refused for a full queue should wait before trying again (a job usually takes seconds). */
const SLOT_RETRY_SECONDS = 5;

// KEYS: open jobs zset (tenant: queued or running), minute images, day images, day spend (micro-USD).
// ARGV: now, deadline, maxOpen (maxRunningJobs + maxQueuedJobs), perMinute, perDay, spendMicros,
// minuteTtl, dayTtl, then (jobId, images, costMicros) per job. -1: no limit. Expired entries (past their
// deadline) are dropped first, so a release lost in a crash frees the place at the job's deadline at the
// latest. A job whose record exists is held already: skipped. Returns {limitName, current} or {'ok', held
// jobIds...}. Running slots themselves (maxRunningJobs, the global maxInFlight) are not counted here: jobs
// over them wait in the admission workflow's durable queue (apps/worker/src/workflows/admission).
// The script builds job record keys (`<prefix>:job:<id>`) itself: on a Redis Cluster every ledger key
// shares one hash tag (familyPrefix), so they are all in the slot of the declared keys. The ledger is one
// script per submission, a load one master carries easily.
const reserveScript = (prefix: string) => `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local jobs, images, cost = 0, 0, 0
local fresh = {}
for i = 9, #ARGV, 3 do
  if redis.call('EXISTS', '${prefix}:job:' .. ARGV[i]) == 0 then
    jobs = jobs + 1
    images = images + tonumber(ARGV[i + 1])
    cost = cost + tonumber(ARGV[i + 2])
    table.insert(fresh, i)
  end
end
local function over(limit, current, add)
  limit = tonumber(limit)
  return limit >= 0 and current + add > limit
end
local open = redis.call('ZCARD', KEYS[1])
if over(ARGV[3], open, jobs) then return {'maxQueuedJobs', open} end
local minute = tonumber(redis.call('GET', KEYS[2]) or '0')
if over(ARGV[4], minute, images) then return {'imagesPerMinute', minute} end
local day = tonumber(redis.call('GET', KEYS[3]) or '0')
if over(ARGV[5], day, images) then return {'imagesPerDay', day} end
local spend = tonumber(redis.call('GET', KEYS[4]) or '0')
if over(ARGV[6], spend, cost) then return {'spendPerDayUsd', spend} end
redis.call('INCRBY', KEYS[2], images)
redis.call('EXPIRE', KEYS[2], ARGV[7])
redis.call('INCRBY', KEYS[3], images)
redis.call('EXPIRE', KEYS[3], ARGV[8])
redis.call('INCRBY', KEYS[4], cost)
redis.call('EXPIRE', KEYS[4], ARGV[8])
local held = {'ok'}
for _, i in ipairs(fresh) do
  table.insert(held, ARGV[i])
  local job = '${prefix}:job:' .. ARGV[i]
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[i])
  redis.call('HSET', job, 'running', KEYS[1], 'minute', KEYS[2], 'day', KEYS[3], 'spend', KEYS[4],
    'images', ARGV[i + 1], 'cost', ARGV[i + 2], 'at', now)
  redis.call('EXPIRE', job, ARGV[8])
end
return held
`;

// KEYS: the retired global in-flight zset (entries left from before the admission queue are removed).
// ARGV: jobId, mode ('refund' | 'finish'), actual cost in micro-USD or ''. Frees the job's place; 'refund' (the job never started) gives back its images and cost; 'finish' replaces the
// reserved cost with the actual one when Runware reported it. Idempotent: the job's record goes with it.
// The keys it reads from the record are the ledger's, in the declared key's slot (see reserveScript).
const releaseScript = (prefix: string) => `
local job = '${prefix}:job:' .. ARGV[1]
redis.call('ZREM', KEYS[1], ARGV[1])
local r = redis.call('HMGET', job, 'running', 'minute', 'day', 'spend', 'images', 'cost')
if not r[1] then return 0 end
redis.call('ZREM', r[1], ARGV[1])
if ARGV[2] == 'refund' then
  redis.call('DECRBY', r[2], r[5])
  redis.call('DECRBY', r[3], r[5])
  redis.call('DECRBY', r[4], r[6])
elseif ARGV[3] ~= '' then
  redis.call('INCRBY', r[4], tonumber(ARGV[3]) - tonumber(r[6]))
end
redis.call('DEL', job)
return 1
`;

const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);
const secondsToNextMinute = (now: number) => Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));
const secondsToNextDay = (now: number) => Math.max(1, Math.ceil((86_400_000 - (now % 86_400_000)) / 1000));
const unlimited = (value: number | undefined, scale = 1) =>
  value === undefined ? -1 : Math.round(value * scale);

/**
 * The usage ledger in Redis: per tenant, images per minute (fixed UTC-minute windows) and per UTC day, the
 * day's spend, and the tenant's open jobs (queued or running) against maxRunningJobs + maxQueuedJobs. One
 * Lua script reserves a whole set of jobs (a /v1 batch) against every limit, or none of them. Which open
 * job runs is the admission workflow's business (a durable queue in Temporal), not the ledger's.
 *
 * Open jobs are a sorted set of jobId -> deadline (reservation time + the job's max time open): whoever
 * sees the job end releases it (the API that started it, following its terminal event); a release lost in
 * a crash frees the place at the deadline, and `candidates` lets admission ask the job records about
 * places whose jobs may have ended (see README "Limits").
 */
export class UsageLedger {
  private readonly redis: RedisClient;
  /** `photomaker:usage`, hash-tagged on a cluster. */
  private readonly prefix: string;
  private readonly reserveLua: LuaScript;
  private readonly releaseLua: LuaScript;
  private readonly maxInFlight: number | undefined;
  private readonly slotTtlMs: number;
  private readonly now: () => number;

  constructor(options: {
    redis: RedisClient;
    /** The account's concurrency at Runware, in jobs; undefined: no global budget. */
    maxInFlight: number | undefined;
    /** How long a job counts as open at most when its release is lost (a job's max time open, ms). */
    slotTtlMs: number;
    now?: () => number;
  }) {
    this.redis = options.redis;
    this.prefix = familyPrefix('usage', layoutOf(options.redis));
    this.reserveLua = new LuaScript(reserveScript(this.prefix));
    this.releaseLua = new LuaScript(releaseScript(this.prefix));
    this.maxInFlight = options.maxInFlight;
    this.slotTtlMs = options.slotTtlMs;
    this.now = options.now ?? Date.now;
  }

  /** Reserves every job not held already, or none: the jobs it holds now, else the first limit that refuses. */
  async reserve(tenant: string, limits: TenantLimits, jobs: readonly JobUsage[]): Promise<Reservation> {
    if (jobs.length === 0) return { ok: true, held: [] };
    const now = this.now();
    const day = dayOf(now);
    const t = encodeURIComponent(tenant);
    const price = Math.round((limits.pricePerImageUsd ?? 0) * MICROS);
    const keys = [
      `${this.prefix}:running:${t}`,
      `${this.prefix}:minute:${t}:${Math.floor(now / 60_000)}`,
      `${this.prefix}:images:${t}:${day}`,
      `${this.prefix}:spend:${t}:${day}`,
    ];
    const args = [
      now,
      now + this.slotTtlMs,
      unlimited(maxOpenJobs(limits, this.maxInFlight)),
      unlimited(limits.imagesPerMinute),
      unlimited(limits.imagesPerDay),
      unlimited(limits.spendPerDayUsd, MICROS),
      120,
      2 * 86_400,
      ...jobs.flatMap((job) => [job.jobId, job.images, job.images * price]),
    ];
    const result = (await this.reserveLua.run(this.redis, keys, args)) as string[];
    const [first = 'ok', ...rest] = result;
    if (first === 'ok') return { ok: true, held: rest };
    return { ok: false, refusal: this.refusal(first as LimitName, Number(rest[0]), limits, now) };
  }

  private refusal(name: LimitName, current: number, limits: TenantLimits, now: number): LimitRefusal {
    switch (name) {
      case 'maxQueuedJobs':
        // `current` counts open jobs: the queued ones are those beyond the running slots.
        return {
          code: 'RATE_LIMITED',
          limitName: name,
          limit: limits.maxQueuedJobs ?? 0,
          current: Math.max(0, current - (runningCapacity(limits, this.maxInFlight) ?? 0)),
          retryAfterSeconds: SLOT_RETRY_SECONDS,
        };
      case 'imagesPerMinute':
        return {
          code: 'RATE_LIMITED',
          limitName: name,
          limit: limits.imagesPerMinute ?? 0,
          current,
          retryAfterSeconds: secondsToNextMinute(now),
        };
      case 'imagesPerDay':
        return {
          code: 'QUOTA_EXCEEDED',
          limitName: name,
          limit: limits.imagesPerDay ?? 0,
          current,
          retryAfterSeconds: secondsToNextDay(now),
        };
      case 'spendPerDayUsd':
        return {
          code: 'QUOTA_EXCEEDED',
          limitName: name,
          limit: limits.spendPerDayUsd ?? 0,
          current: current / MICROS,
          retryAfterSeconds: secondsToNextDay(now),
        };
    }
  }

  /** The job never started: its slots, images and reserved cost are given back. */
  async refund(jobId: string): Promise<void> {
    await this.releaseLua.run(this.redis, [`${this.prefix}:inflight`], [jobId, 'refund', '']);
  }

  /** The job ended: its slots are freed; Runware's actual cost (USD), when known, replaces the reserved one. */
  async finish(jobId: string, actualCostUsd: number | null | undefined): Promise<void> {
    const actual =
      actualCostUsd === null || actualCostUsd === undefined ? '' : Math.round(actualCostUsd * MICROS);
    await this.releaseLua.run(this.redis, [`${this.prefix}:inflight`], [jobId, 'finish', String(actual)]);
  }

  /**
   * The tenant's open jobs reserved more than `minAgeMs` ago: the ones admission may check against the
   * job records when the tenant's queue is full.
   */
  async candidates(tenant: string, minAgeMs: number, max = 50): Promise<string[]> {
    const key = `${this.prefix}:running:${encodeURIComponent(tenant)}`;
    const bornBefore = this.now() - minAgeMs + this.slotTtlMs;
    return this.redis.zrangebyscore(key, '-inf', bornBefore, 'LIMIT', 0, max);
  }
}

const LIMIT_WORDS: Record<LimitName, string> = {
  maxQueuedJobs: 'queued jobs of this tenant (beyond its running ones)',
  imagesPerMinute: 'images this minute',
  imagesPerDay: 'images today (UTC)',
  spendPerDayUsd: 'USD spent today (UTC)',
};

/**
 * How many jobs a tenant may run at once: its maxRunningJobs, and never more than the global budget.
 * Undefined: no bound (nothing waits).
 */
export function runningCapacity(limits: TenantLimits, maxInFlight: number | undefined): number | undefined {
  const bounds = [limits.maxRunningJobs, maxInFlight].filter((bound) => bound !== undefined);
  return bounds.length > 0 ? Math.min(...bounds) : undefined;
}

/**
 * How many jobs a tenant may have open (queued or running): what it may run at once + maxQueuedJobs.
 * Without a maxQueuedJobs, or with nothing that makes its jobs wait, no bound.
 */
export function maxOpenJobs(limits: TenantLimits, maxInFlight: number | undefined): number | undefined {
  const running = runningCapacity(limits, maxInFlight);
  if (limits.maxQueuedJobs === undefined || running === undefined) return undefined;
  return running + limits.maxQueuedJobs;
}

/** The words every transport uses for a limit refusal: which limit, its value, the count, the wait. */
export function limitMessage(refusal: LimitRefusal): string {
  return `Limit ${refusal.limitName} reached: ${refusal.current} of ${refusal.limit} ${LIMIT_WORDS[refusal.limitName]}; retry in ${refusal.retryAfterSeconds} s.`;
}
