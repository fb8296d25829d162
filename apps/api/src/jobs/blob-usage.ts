import { type KeyLayout, LuaScript, layoutOf, type RedisClient } from '@photomaker/events';
import { liveBlobsKey, tenantBlobsKey as tenantKey, tenantBytesKey as totalKey } from '@photomaker/retention';
import type { BlobRef } from '@photomaker/schema';

// One hash tag for every key of the family on a Redis Cluster: USE_SCRIPT updates a tenant's keys and
// the global live set together (one slot); the family is a few commands per uploaded image. Erasure
// (@photomaker/retention) removes a blob from the same keys.

/** How many lapsed entries one call clears at most: the work of a call stays bounded. */
const PRUNE_BATCH = 1000;

// KEYS: tenant set, tenant total, live set. ARGV: now, member, sha256, size, until, quota (0: none),
// check (1: refuse over quota, 0: count without refusing). A member is `<sha256>:<size>`, scored by when its use ends;
// the running total is the sum of the live members' sizes. Returns {accepted, total bytes}.
const USE_SCRIPT = new LuaScript(`
local now = tonumber(ARGV[1])
local total = tonumber(redis.call('GET', KEYS[2]) or '0')
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ${PRUNE_BATCH})
for _, member in ipairs(lapsed) do
  total = total - tonumber(string.match(member, ':(%d+)$'))
  redis.call('ZREM', KEYS[1], member)
end
if total < 0 then total = 0 end
local size = tonumber(ARGV[4])
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  local quota = tonumber(ARGV[6])
  if ARGV[7] == '1' and quota > 0 and total + size > quota then
    redis.call('SET', KEYS[2], total)
    return {0, total}
  end
  total = total + size
end
redis.call('ZADD', KEYS[1], 'GT', ARGV[5], ARGV[2])
redis.call('ZADD', KEYS[3], 'GT', ARGV[5], ARGV[3])
redis.call('SET', KEYS[2], total)
return {1, total}
`);

export type UseResult =
  | { ok: true; totalBytes: number }
  | { ok: false; totalBytes: number; quotaBytes: number };

/**
 * Bytes of the blob store each tenant uses, for its quota, and the set of blobs in use, for garbage
 * collection. A tenant uses a blob from when it sends the bytes until the use lapses: `lifetimeMs` after
 * the last send or the last use of the reference image holding it. The same bytes count once per tenant.
 */
export class BlobUsage {
  private readonly redis: RedisClient;
  private readonly quotaBytes: number;
  private readonly layout: KeyLayout;

  constructor(redis: RedisClient, options: { quotaBytes: number }) {
    this.redis = redis;
    this.layout = layoutOf(redis);
    this.quotaBytes = options.quotaBytes;
  }

  /** Counts a blob the tenant is about to store; refused (nothing counted) when it would pass the quota. */
  use(tenant: string, blob: Pick<BlobRef, 'sha256' | 'size'>, lifetimeMs: number): Promise<UseResult> {
    return this.run(tenant, blob, lifetimeMs, true);
  }

  /** Extends a use (a reference image used again), counting it if it was not; never refused. */
  async renew(tenant: string, blob: Pick<BlobRef, 'sha256' | 'size'>, lifetimeMs: number): Promise<void> {
    await this.run(tenant, blob, lifetimeMs, false);
  }

  async totalBytes(tenant: string): Promise<number> {
    return Number((await this.redis.get(totalKey(tenant, this.layout))) ?? 0);
  }

  /** Of these digests, the ones some tenant still uses. */
  async inUse(sha256s: readonly string[], now = Date.now()): Promise<Set<string>> {
    if (sha256s.length === 0) return new Set();
    const scores = await this.redis.zmscore(liveBlobsKey(this.layout), ...sha256s);
    return new Set(sha256s.filter((_, i) => Number(scores[i] ?? 0) > now));
  }

  /** Forgets the blobs whose every use has lapsed (once collected, nothing asks for them again). */
  async pruneLapsed(now = Date.now()): Promise<void> {
    await this.redis.zremrangebyscore(liveBlobsKey(this.layout), '-inf', now);
  }

  private async run(
    tenant: string,
    blob: Pick<BlobRef, 'sha256' | 'size'>,
    lifetimeMs: number,
    check: boolean,
  ): Promise<UseResult> {
    const now = Date.now();
    const [accepted, total] = (await USE_SCRIPT.run(
      this.redis,
      [tenantKey(tenant, this.layout), totalKey(tenant, this.layout), liveBlobsKey(this.layout)],
      [
        now,
        `${blob.sha256}:${blob.size}`,
        blob.sha256,
        blob.size,
        now + lifetimeMs,
        this.quotaBytes,
        check ? 1 : 0,
      ],
    )) as [number, number];
    return accepted === 1
      ? { ok: true, totalBytes: total }
      : { ok: false, totalBytes: total, quotaBytes: this.quotaBytes };
  }
}
