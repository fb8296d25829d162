import type { JobStart } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import type { Redis } from 'ioredis';

/** Next to the job's event stream (`photomaker:job:<jobId>:events`). */
export const jobRecordKey = (jobId: string) => `photomaker:job:${jobId}:record`;

/**
 * The event stream's lifetime (JobEventLog's default, refreshed on every append): a record never outlives
 * the events it is folded with, so a missing stream next to a live record means "nothing published yet".
 */
export const JOB_RECORD_TTL_SECONDS = 7 * 24 * 3600;

const VERSION = 1;

/** What a job starts from, as the API started it: its state is this folded with its event stream. */
export interface JobRecord {
  start: JobStart;
  /** Identifies the request body of an idempotent creation (a reused key with another body is refused). */
  fingerprint?: string;
}

interface Stored extends JobRecord {
  v: typeof VERSION;
}

/**
 * One small Redis value per job, written once by the API process that started it. Reads of a job's state
 * (subscribe snapshots, `job(id)`, getResponse polls) fold it with the event stream instead of asking
 * Temporal: no describe, no workflow query (a query task on a worker). Anything unexpected (another
 * version, another shape) reads as missing, and the caller falls back to Temporal.
 */
export class JobRecords {
  private readonly redis: Redis;
  private readonly ttlSeconds: number;

  constructor(redis: Redis, options: { ttlSeconds?: number } = {}) {
    this.redis = redis;
    this.ttlSeconds = options.ttlSeconds ?? JOB_RECORD_TTL_SECONDS;
  }

  async save(input: PhotoMakerJobInput, fingerprint?: string): Promise<void> {
    const stored: Stored = {
      v: VERSION,
      start: {
        jobId: input.jobId,
        tenant: input.tenant,
        task: input.task,
        runwareTaskUUID: input.runwareTaskUUID,
        createdAt: input.createdAt,
        ...(input.requestId ? { requestId: input.requestId } : {}),
      },
      ...(fingerprint ? { fingerprint } : {}),
    };
    await this.redis.set(jobRecordKey(input.jobId), JSON.stringify(stored), 'EX', this.ttlSeconds);
  }

  async load(jobId: string): Promise<JobRecord | undefined> {
    const text = await this.redis.get(jobRecordKey(jobId));
    return text === null ? undefined : parseRecord(jobId, text);
  }
}

function parseRecord(jobId: string, text: string): JobRecord | undefined {
  let value: Partial<Stored>;
  try {
    value = JSON.parse(text) as Partial<Stored>;
  } catch {
    return undefined;
  }
  const start = value?.start;
  if (value?.v !== VERSION || !start || typeof start !== 'object') return undefined;
  if (start.jobId !== jobId || typeof start.tenant !== 'string' || typeof start.createdAt !== 'string')
    return undefined;
  if (typeof start.runwareTaskUUID !== 'string' || !start.task || typeof start.task !== 'object')
    return undefined;
  return {
    start,
    ...(typeof value.fingerprint === 'string' ? { fingerprint: value.fingerprint } : {}),
  };
}
