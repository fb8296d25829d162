import { jobKey, type KeyLayout, layoutOf } from './keyspace.ts';
import type { RedisClient } from './redis-client.ts';

/** Longer than any job runs (generation budget 30 min, deliveries ~20 min). */
const CANCEL_REQUEST_TTL_SECONDS = 24 * 3600;

/**
 * Cancel requests, told to the worker the fast way. Temporal brings a cancel to a running activity only
 * with its next heartbeat (seconds); a job sending one Runware task per image checks this key before
 * each send, so a cancel stops the spending at once. Temporal's cancel stays the authority: this only
 * stops sends sooner.
 */
export class CancelRequests {
  private readonly redis: RedisClient;
  private readonly layout: KeyLayout;

  constructor(redis: RedisClient) {
    this.redis = redis;
    this.layout = layoutOf(redis);
  }

  /** The API, before it asks Temporal to cancel the job. */
  async request(jobId: string): Promise<void> {
    await this.redis.set(jobKey(jobId, 'cancel', this.layout), '1', 'EX', CANCEL_REQUEST_TTL_SECONDS);
  }

  /** The worker, before each Runware send of the job. */
  async requested(jobId: string): Promise<boolean> {
    return (await this.redis.exists(jobKey(jobId, 'cancel', this.layout))) === 1;
  }
}
