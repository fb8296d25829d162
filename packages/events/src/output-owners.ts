import { jobKey, type KeyLayout, layoutOf } from './keyspace.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * How long an output's owner is remembered: Runware keeps images 30 days after their last use, and an
 * output UUID is usable as a reference while Runware has it.
 */
export const OUTPUT_OWNER_TTL_SECONDS = 30 * 24 * 3600;

const outputJobKey = (imageUUID: string) => `photomaker:output:${imageUUID.toLowerCase()}:job`;
const jobTenantKey = (jobId: string, layout: KeyLayout) => jobKey(jobId, 'tenant', layout);

/** `unknown`: not an output of this platform; otherwise the owning tenant (undefined once forgotten). */
export type OutputOwner = { known: false } | { known: true; tenant: string | undefined };

/**
 * Who owns each generated image's Runware UUID, so one tenant's outputs cannot be another tenant's
 * references. Two small keys, because neither side knows both halves: the API records the tenant of a
 * job when it starts it, the worker records the job of each output it stores.
 */
export class OutputOwners {
  private readonly redis: RedisClient;
  private readonly ttlSeconds: number;
  private readonly layout: KeyLayout;

  constructor(redis: RedisClient, options: { ttlSeconds?: number } = {}) {
    this.redis = redis;
    this.layout = layoutOf(redis);
    this.ttlSeconds = options.ttlSeconds ?? OUTPUT_OWNER_TTL_SECONDS;
  }

  /** The API, when it starts a job. */
  async recordJob(tenant: string, jobId: string): Promise<void> {
    await this.redis.set(jobTenantKey(jobId, this.layout), tenant, 'EX', this.ttlSeconds);
  }

  /** The worker, once it has stored a job's images. */
  async recordOutputs(jobId: string, imageUUIDs: readonly string[]): Promise<void> {
    if (imageUUIDs.length === 0) return;
    // One SET per output, not a MULTI: each key stands alone, and in a cluster they are in other slots.
    await Promise.all(
      imageUUIDs.map((uuid) => this.redis.set(outputJobKey(uuid), jobId, 'EX', this.ttlSeconds)),
    );
  }

  /** Erasure: the job's outputs and the job itself are no longer anyone's. Returns the keys removed. */
  async forget(jobId: string, imageUUIDs: readonly string[]): Promise<number> {
    const keys = [jobTenantKey(jobId, this.layout), ...imageUUIDs.map(outputJobKey)];
    // One DEL per key: in a cluster they are in other slots.
    const removed = await Promise.all(keys.map((key) => this.redis.del(key)));
    return removed.reduce((sum, n) => sum + n, 0);
  }

  async ownerOf(imageUUID: string): Promise<OutputOwner> {
    const jobId = await this.redis.get(outputJobKey(imageUUID));
    if (jobId === null) return { known: false };
    return { known: true, tenant: (await this.redis.get(jobTenantKey(jobId, this.layout))) ?? undefined };
  }
}
