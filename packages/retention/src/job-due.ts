import type { RedisClient } from '@photomaker/events';
import type { JobDueTimes } from './policy.ts';

/** What of a job is due: its outputs, or the whole job. */
export type DueKind = 'outputs' | 'job';

/** One sorted set (a single key: no hash tag needed): `<kind>:<jobId>` scored by when it is due. */
export const JOBS_DUE_KEY = 'photomaker:retention:jobs';

/**
 * When each job's outputs and the job itself are due for erasure, resolved from the tenant's policy when
 * the job was created (a later policy change applies to later jobs). The retention sweep reads it.
 */
export class JobDueIndex {
  private readonly redis: RedisClient;

  constructor(redis: RedisClient) {
    this.redis = redis;
  }

  async schedule(jobId: string, due: Pick<JobDueTimes, 'outputsAt' | 'jobAt'>): Promise<void> {
    await this.redis.zadd(JOBS_DUE_KEY, due.outputsAt, `outputs:${jobId}`, due.jobAt, `job:${jobId}`);
  }

  /** Entries due by `now`, at most `limit`, soonest first. */
  async due(now: number, limit: number): Promise<{ kind: DueKind; jobId: string }[]> {
    const members = await this.redis.zrangebyscore(JOBS_DUE_KEY, '-inf', now, 'LIMIT', 0, limit);
    return members.flatMap((member) => {
      const [kind, jobId] = member.split(/:(.*)/s);
      return (kind === 'outputs' || kind === 'job') && jobId ? [{ kind, jobId }] : [];
    });
  }

  /** Tries again at `at` (a job still running). */
  async postpone(kind: DueKind, jobId: string, at: number): Promise<void> {
    await this.redis.zadd(JOBS_DUE_KEY, at, `${kind}:${jobId}`);
  }

  async done(kind: DueKind, jobId: string): Promise<void> {
    await this.redis.zrem(JOBS_DUE_KEY, `${kind}:${jobId}`);
  }

  /** The job is erased: nothing of it is due any more. */
  async forget(jobId: string): Promise<void> {
    await this.redis.zrem(JOBS_DUE_KEY, `outputs:${jobId}`, `job:${jobId}`);
  }
}
