import type { Redis } from 'ioredis';

/**
 * How long an output's owner is remembered: Runware keeps images 30 days after their last use, and an
 * output UUID is usable as a reference while Runware has it.
 */
export const OUTPUT_OWNER_TTL_SECONDS = 30 * 24 * 3600;

const outputJobKey = (imageUUID: string) => `photomaker:output:${imageUUID.toLowerCase()}:job`;
const jobTenantKey = (jobId: string) => `photomaker:job:${jobId}:tenant`;

/** `unknown`: not an output of this platform; otherwise the owning tenant (undefined once forgotten). */
export type OutputOwner = { known: false } | { known: true; tenant: string | undefined };

/**
 * Who owns each generated image's Runware UUID, so one tenant's outputs cannot be another tenant's
 * references. Two small keys, because neither side knows both halves: the API records the tenant of a
 * job when it starts it, the worker records the job of each output it stores.
 */
export class OutputOwners {
  private readonly redis: Redis;
  private readonly ttlSeconds: number;

  constructor(redis: Redis, options: { ttlSeconds?: number } = {}) {
    this.redis = redis;
    this.ttlSeconds = options.ttlSeconds ?? OUTPUT_OWNER_TTL_SECONDS;
  }

  /** The API, when it starts a job. */
  async recordJob(tenant: string, jobId: string): Promise<void> {
    await this.redis.set(jobTenantKey(jobId), tenant, 'EX', this.ttlSeconds);
  }

  /** The worker, once it has stored a job's images. */
  async recordOutputs(jobId: string, imageUUIDs: readonly string[]): Promise<void> {
    if (imageUUIDs.length === 0) return;
    const batch = this.redis.multi();
    for (const uuid of imageUUIDs) batch.set(outputJobKey(uuid), jobId, 'EX', this.ttlSeconds);
    await batch.exec();
  }

  async ownerOf(imageUUID: string): Promise<OutputOwner> {
    const jobId = await this.redis.get(outputJobKey(imageUUID));
    if (jobId === null) return { known: false };
    return { known: true, tenant: (await this.redis.get(jobTenantKey(jobId))) ?? undefined };
  }
}
