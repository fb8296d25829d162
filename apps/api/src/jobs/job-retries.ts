import { jobKey, type KeyLayout, layoutOf, type RedisClient } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { isTerminalStatus, type JobState, type ReferenceCheckMode } from '@photomaker/schema';
import type { JobPriority } from '@photomaker/temporal';
import type { JobReads } from './job-reads.ts';
import type { SubmitJob, SubmitResult } from './submit-job.ts';
import type { TenantLimits } from './usage-ledger.ts';

/** How long a job remembers its retries (a retry names its original for ever, in its workflow input). */
const RETRIES_TTL_SECONDS = 90 * 86_400;
/** Retries listed per job at most (each is a job read). */
export const MAX_LISTED_RETRIES = 50;

/** The jobs that retry a job, newest last: one Redis sorted set per job, next to its other keys. */
export class JobRetries {
  private readonly redis: RedisClient;
  private readonly layout: KeyLayout;

  constructor(redis: RedisClient) {
    this.redis = redis;
    this.layout = layoutOf(redis);
  }

  async add(jobId: string, retryId: string, at = Date.now()): Promise<void> {
    const key = jobKey(jobId, 'retries', this.layout);
    await this.redis.zadd(key, at, retryId);
    await this.redis.expire(key, RETRIES_TTL_SECONDS);
  }

  async list(jobId: string): Promise<string[]> {
    return this.redis.zrange(jobKey(jobId, 'retries', this.layout), 0, MAX_LISTED_RETRIES - 1);
  }
}

/** Statuses a job can be retried from; a deadline that passed ends a job CANCELLED (timed out). */
const RETRYABLE = new Set(['FAILED', 'CANCELLED']);

export interface RetryRequest {
  tenant: string;
  jobId: string;
  keyId?: string | undefined;
  /** The retrying key's default priority: used when the original job had none (it never queued). */
  defaultPriority?: JobPriority | undefined;
  /** The retrying key's default reference check: used when the original job was not checked. */
  defaultReferenceCheck?: ReferenceCheckMode | undefined;
  limits: TenantLimits;
  logger: Logger;
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
}

export type RetryResult =
  | { ok: true; state: JobState; created: boolean }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-retryable'; status: JobState['status'] }
  | Exclude<SubmitResult, { ok: true }>;

/**
 * retryJob: a new job from a failed, cancelled or timed-out job of the same tenant: its normalized task
 * and the same reference images, a new job id and new Runware taskUUIDs, linked both ways (`retryOf` in
 * the new job's input, the original's retries set). A submission like any other: limits, idempotency.
 */
export class RetryJob {
  private readonly deps: {
    reads: Pick<JobReads, 'get'>;
    submit: Pick<SubmitJob, 'submit'>;
    retries: Pick<JobRetries, 'add'>;
  };

  constructor(deps: RetryJob['deps']) {
    this.deps = deps;
  }

  async retry(request: RetryRequest): Promise<RetryResult> {
    const original = await this.deps.reads.get(request.tenant, request.jobId);
    if (!original) return { ok: false, reason: 'not-found' };
    if (!isTerminalStatus(original.status) || !RETRYABLE.has(original.status))
      return { ok: false, reason: 'not-retryable', status: original.status };
    const result = await this.deps.submit.submit({
      tenant: request.tenant,
      via: 'graphql',
      input: { retry: { jobId: original.jobId, task: original.task } },
      logger: request.logger,
      requestId: request.requestId,
      idempotencyKey: request.idempotencyKey,
      limits: request.limits,
      keyId: request.keyId,
      webhookEvents: original.webhookEvents,
      // It waits in the admission queue as the original did.
      priority: original.priority,
      defaultPriority: request.defaultPriority,
      // Checked and scored as the original was.
      referenceCheck: original.referenceCheck,
      defaultReferenceCheck: request.defaultReferenceCheck,
      minLikeness: original.minLikeness,
      regenerateBelow: original.regenerateBelow,
    });
    if (!result.ok) return result;
    if (result.created) {
      await this.deps.retries.add(original.jobId, result.state.jobId).catch((error: unknown) => {
        request.logger.warn(
          { jobId: original.jobId, reason: error instanceof Error ? error.message : String(error) },
          'retry link not stored; the new job still names its original',
        );
      });
    }
    return { ok: true, state: result.state, created: result.created };
  }
}
