import { jobKey, type KeyLayout, layoutOf, type RedisClient } from '@photomaker/events';
import { erasedJobKey } from '@photomaker/retention';
import type { JobStart } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import type { JsonSealer, SealedJson } from '@photomaker/temporal/codec';

/** Next to the job's event stream (`photomaker:job:<jobId>:events`; one slot with it in a cluster). */
export const jobRecordKey = (jobId: string, layout: KeyLayout = 'single') => jobKey(jobId, 'record', layout);

/**
 * The event stream's lifetime (JobEventLog's default, refreshed on every append): a record never outlives
 * the events it is folded with, so a missing stream next to a live record means "nothing published yet".
 */
export const JOB_RECORD_TTL_SECONDS = 7 * 24 * 3600;

// 2: everything the caller sent sealed with the payload keys (1 held prompts and delivery URLs in clear:
// such records read as missing, and reads fall back to Temporal).
const VERSION = 2;

/** What a job starts from, as the API started it: its state is this folded with its event stream. */
export interface JobRecord {
  start: JobStart;
  /** Identifies the request body of an idempotent creation (a reused key with another body is refused). */
  fingerprint?: string;
}

/** Sealed: the task (prompt, style, webhook and upload URLs, image references) and everything else. */
type SealedPart = Omit<JobStart, 'jobId' | 'tenant' | 'createdAt'> & { fingerprint?: string };

/** In clear only what says whose job it is and when it began; the rest is `sealed`. */
interface Stored {
  v: typeof VERSION;
  jobId: string;
  tenant: string;
  createdAt: string;
  sealed: SealedJson;
}

/**
 * One small Redis value per job, written once by the API process that started it. Reads of a job's state
 * (subscribe snapshots, `job(id)`, getResponse polls) fold it with the event stream instead of asking
 * Temporal: no describe, no workflow query (a query task on a worker). What the caller sent is sealed
 * with the Temporal payload keys (Redis holds no more in clear than Temporal's history does). Anything
 * unexpected (another version, another shape, a key no longer in the ring) reads as missing, and the
 * caller falls back to Temporal.
 */
export class JobRecords {
  private readonly redis: RedisClient;
  private readonly sealer: JsonSealer;
  private readonly ttlSeconds: number;
  private readonly layout: KeyLayout;

  constructor(redis: RedisClient, options: { sealer: JsonSealer; ttlSeconds?: number }) {
    this.redis = redis;
    this.layout = layoutOf(redis);
    this.sealer = options.sealer;
    this.ttlSeconds = options.ttlSeconds ?? JOB_RECORD_TTL_SECONDS;
  }

  async save(input: PhotoMakerJobInput, fingerprint?: string): Promise<void> {
    const sealed: SealedPart = {
      task: input.task,
      runwareTaskUUID: input.runwareTaskUUID,
      ...(input.requestId ? { requestId: input.requestId } : {}),
      ...(input.traceId ? { traceId: input.traceId } : {}),
      ...(input.cancelAt ? { cancelAt: input.cancelAt } : {}),
      ...(input.admission ? { admission: { priority: input.admission.priority } } : {}),
      ...(input.retryOf ? { retryOf: input.retryOf } : {}),
      ...(input.webhookEvents ? { webhookEvents: input.webhookEvents } : {}),
      // The job's likeness options: reads (Job fields, a retry of it) see them as Temporal's input has them.
      ...(input.referenceCheck ? { referenceCheck: input.referenceCheck } : {}),
      ...(input.minLikeness !== undefined ? { minLikeness: input.minLikeness } : {}),
      ...(input.regenerateBelow ? { regenerateBelow: input.regenerateBelow } : {}),
      ...(fingerprint ? { fingerprint } : {}),
    };
    const stored: Stored = {
      v: VERSION,
      jobId: input.jobId,
      tenant: input.tenant,
      createdAt: input.createdAt,
      sealed: this.sealer.seal(sealed),
    };
    await this.redis.set(
      jobRecordKey(input.jobId, this.layout),
      JSON.stringify(stored),
      'EX',
      this.ttlSeconds,
    );
  }

  /** The job was erased (its marker outlives Temporal's asynchronous deletion). */
  async erased(jobId: string): Promise<boolean> {
    return (await this.redis.exists(erasedJobKey(jobId, this.layout))) === 1;
  }

  async load(jobId: string): Promise<JobRecord | undefined> {
    const text = await this.redis.get(jobRecordKey(jobId, this.layout));
    return text === null ? undefined : this.parse(jobId, text);
  }

  private parse(jobId: string, text: string): JobRecord | undefined {
    const stored = parseStored(jobId, text);
    if (!stored) return undefined;
    let part: Partial<SealedPart>;
    try {
      part = this.sealer.open(stored.sealed) as Partial<SealedPart>;
    } catch {
      return undefined;
    }
    if (typeof part?.runwareTaskUUID !== 'string' || !part.task || typeof part.task !== 'object')
      return undefined;
    const { fingerprint, ...rest } = part;
    return {
      start: { ...rest, jobId, tenant: stored.tenant, createdAt: stored.createdAt } as JobStart,
      ...(typeof fingerprint === 'string' ? { fingerprint } : {}),
    };
  }
}

function parseStored(jobId: string, text: string): Stored | undefined {
  let value: Partial<Stored>;
  try {
    value = JSON.parse(text) as Partial<Stored>;
  } catch {
    return undefined;
  }
  if (value?.v !== VERSION || value.jobId !== jobId) return undefined;
  if (typeof value.tenant !== 'string' || typeof value.createdAt !== 'string') return undefined;
  const sealed = value.sealed;
  if (!sealed || typeof sealed.k !== 'string' || typeof sealed.d !== 'string') return undefined;
  return value as Stored;
}
