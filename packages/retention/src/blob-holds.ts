import { type KeyLayout, LuaScript, layoutOf, type RedisClient } from '@photomaker/events';
import type { BlobRef } from '@photomaker/schema';
import { blobHoldsKey, blobsDueKey, blobsPrefix, liveBlobsKey, runwareUploadKey } from './blob-keys.ts';

/** What holds a blob: a job (its reference photos) or an uploaded reference image. */
export type Holder = `job:${string}` | `ref:${string}`;

const memberOf = (tenant: string, holder: Holder) => `${tenant}\n${holder}`;

// KEYS: holds, due. ARGV: member, until, `<sha256>:<size>`. A hold's score is when it lapses; the due set
// keeps the latest lapse of each blob.
const HOLD_SCRIPT = new LuaScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[3])
return 1
`);

// KEYS: holds, due, live. ARGV: now, sha256, size, family prefix, member to drop ('' for none).
// Drops the member and every lapsed hold; a tenant left without a hold on the blob stops counting it
// (its `<sha>:<size>` usage member and bytes, keys of the same hash tag). Returns {freed, dropped...}:
// freed is 1 when no hold is left, the caller then erases the bytes (the blob has left the due and live
// sets already); dropped are the holds removed.
const RELEASE_SCRIPT = `
local now = tonumber(ARGV[1])
local touched, dropped = {}, {}
local function drop(member)
  if redis.call('ZREM', KEYS[1], member) == 1 then
    touched[string.match(member, '^(.-)\\n')] = true
    table.insert(dropped, member)
  end
end
if ARGV[5] ~= '' then drop(ARGV[5]) end
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do drop(member) end
local left = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local holding, latest = {}, 0
for i = 1, #left, 2 do
  holding[string.match(left[i], '^(.-)\\n')] = true
  latest = math.max(latest, tonumber(left[i + 1]))
end
for tenant in pairs(touched) do
  if not holding[tenant] then
    local set = ARGV[4] .. ':tenant:' .. tenant
    if redis.call('ZREM', set, ARGV[2] .. ':' .. ARGV[3]) == 1 then
      local total = tonumber(redis.call('GET', set .. ':bytes') or '0') - tonumber(ARGV[3])
      redis.call('SET', set .. ':bytes', math.max(total, 0))
    end
  end
end
local due = ARGV[2] .. ':' .. ARGV[3]
if #left > 0 then
  redis.call('ZADD', KEYS[2], latest, due)
  table.insert(dropped, 1, 0)
  return dropped
end
redis.call('ZREM', KEYS[2], due)
redis.call('ZREM', KEYS[3], ARGV[2])
table.insert(dropped, 1, 1)
return dropped
`;

/** A hold the release removed. */
export interface DroppedHold {
  tenant: string;
  holder: Holder;
}

/**
 * Which jobs and reference images hold each blob, per tenant, and until when (retention). The blob store
 * is content-addressed and shared: bytes go only when nothing holds them any more, whoever asked.
 */
export class BlobHolds {
  private readonly redis: RedisClient;
  private readonly layout: KeyLayout;

  constructor(redis: RedisClient) {
    this.redis = redis;
    this.layout = layoutOf(redis);
  }

  /** Records (or moves) a hold: `until` is when it lapses (unix ms). */
  async hold(
    tenant: string,
    holder: Holder,
    blobs: readonly Pick<BlobRef, 'sha256' | 'size'>[],
    until: number,
  ): Promise<void> {
    await Promise.all(
      uniqueBlobs(blobs).map((blob) =>
        HOLD_SCRIPT.run(
          this.redis,
          [blobHoldsKey(blob.sha256, this.layout), blobsDueKey(this.layout)],
          [memberOf(tenant, holder), until, `${blob.sha256}:${blob.size}`],
        ),
      ),
    );
  }

  /**
   * Drops `holder`'s hold on a blob (none: only lapsed holds are dropped). `freed`: nothing holds it any
   * more, so its bytes, and the Runware upload cached for them, are to be erased.
   */
  async release(
    blob: Pick<BlobRef, 'sha256' | 'size'>,
    by?: { tenant: string; holder: Holder },
    now = Date.now(),
  ): Promise<{ freed: boolean; dropped: DroppedHold[] }> {
    const [freed, ...members] = (await this.redis.eval(
      RELEASE_SCRIPT,
      3,
      blobHoldsKey(blob.sha256, this.layout),
      blobsDueKey(this.layout),
      liveBlobsKey(this.layout),
      now,
      blob.sha256,
      blob.size,
      blobsPrefix(this.layout),
      by ? memberOf(by.tenant, by.holder) : '',
    )) as [number, ...string[]];
    const dropped = members.map((member) => {
      const [tenant = '', holder = ''] = member.split('\n');
      return { tenant, holder: holder as Holder };
    });
    return { freed: freed === 1, dropped };
  }

  /** Blobs whose latest hold has lapsed by `now`, at most `limit`: the retention sweep's page. */
  async lapsed(now: number, limit: number): Promise<Pick<BlobRef, 'sha256' | 'size'>[]> {
    const members = await this.redis.zrangebyscore(blobsDueKey(this.layout), '-inf', now, 'LIMIT', 0, limit);
    return members.flatMap((member) => {
      const [sha256, size] = member.split(':');
      return sha256 && size ? [{ sha256, size: Number(size) }] : [];
    });
  }

  /** The Runware imageUUID cached for these bytes, dropped with them. */
  async forgetRunwareUpload(sha256: string): Promise<number> {
    return this.redis.del(runwareUploadKey(sha256));
  }
}

/** One entry per digest. */
export function uniqueBlobs<T extends Pick<BlobRef, 'sha256'>>(blobs: readonly T[]): T[] {
  return [...new Map(blobs.map((blob) => [blob.sha256, blob])).values()];
}
