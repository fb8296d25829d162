import { currentTraceId, type Logger, setSpanAttributes, withSpan } from '@photomaker/observability';
import {
  type JobState,
  type JobTask,
  normalizePhotoMaker,
  type PhotoMakerParams,
  type ReferenceCheckMode,
  type RunwareError,
  resolveCancelAfter,
  type WebhookEvent,
} from '@photomaker/schema';
import { admissionWeight, JOB_PRIORITIES, type JobAdmission, type JobPriority } from '@photomaker/temporal';
import type { UrlGuard } from '@photomaker/url-guard';
import type { ApiMetrics } from '../metrics.ts';
import type { FollowJob } from './follow-job.ts';
import { jobIdFor } from './ids.ts';
import type { ImageIntake } from './image-intake.ts';
import { InvalidInputError } from './input-error.ts';
import { imagesAtMost, type JobOptions, jobOptionsOf, withRegenerateBelow } from './job-options.ts';
import type { JobReads } from './job-reads.ts';
import { fingerprintOf, type JobService } from './job-service.ts';
import type { UsageAdmission } from './usage-admission.ts';
import type { LimitRefusal, Reservation, TenantLimits } from './usage-ledger.ts';
import { checkOutboundUrls, ParamsError, validateParams } from './validate-params.ts';
import { waitForJob } from './wait-for-job.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface SubmitRequest {
  tenant: string;
  /** Which transport asks (metrics label). */
  via: 'graphql' | 'v1';
  /**
   * `raw`: parameters as a client sent them (nulls already dropped), validated here. `params`: parameters
   * a transport's own wire schema has already validated (/v1 validates whole tasks), not validated again.
   */
  input: { raw: unknown } | { params: PhotoMakerParams } | { retry: RetrySource };
  logger: Logger;
  requestId?: string | undefined;
  /** The job id a transport derives itself (/v1: from the client's taskUUID); else from idempotencyKey. */
  jobId?: string | undefined;
  idempotencyKey?: string | undefined;
  /**
   * The job's deadline as the client sent it (a duration or an ISO time, see resolveCancelAfter); past it
   * the job ends CANCELLED with reason DEADLINE_REASON. Not a Runware parameter: each transport takes it
   * from its own field.
   */
  cancelAfter?: unknown;
  /**
   * The job's priority as the client sent it (HIGH, NORMAL or LOW; validated here). Not a Runware
   * parameter: each transport takes it from its own field. Absent: `defaultPriority`, else NORMAL.
   */
  priority?: unknown;
  /** The tenant's default priority (tenants file `defaults.priority`, else PHOTOMAKER_TENANT_DEFAULT_PRIORITY). */
  defaultPriority?: JobPriority | undefined;
  /**
   * STRICT | WARN | OFF as the client sent it (validated here): how the reference photos are checked
   * before Runware is paid (issue #17). Absent: `defaultReferenceCheck`, else OFF.
   */
  referenceCheck?: unknown;
  defaultReferenceCheck?: ReferenceCheckMode | undefined;
  /** In [0, 1] as the client sent it (validated here): images scored below it are marked. */
  minLikeness?: unknown;
  /**
   * Extra images (0..numberResults, with minLikeness; validated here) the job may make to reach
   * numberResults images at or above minLikeness. Counted against the tenant's limits at submission.
   */
  regenerateBelow?: unknown;
  /**
   * fal's `expiresIn`: a duration ("30m", "12h", "7d") after which this job's outputs and reference photos
   * are erased, if sooner than the tenant's retention. Each transport takes it from its own field.
   */
  expiresIn?: unknown;
  /** A job that already exists under this id is refused (`exists`), not replayed (/v1 taskUUIDs). */
  onlyNew?: boolean;
  /** Whether to wait (bounded by PHOTOMAKER_SYNC_WAIT_MS) for the job to end, by its parameters. */
  waitFor?: (params: PhotoMakerParams) => boolean;
  /** The caller went away: stop waiting. */
  signal?: AbortSignal | undefined;
  /** The tenant's effective limits (the admitted principal's). */
  limits: TenantLimits;
  /** The submitting API key's id (a digest prefix): the job's usage counts under it. */
  keyId?: string | undefined;
  /** Which events webhookURL is sent (absent: DEFAULT_WEBHOOK_EVENTS). */
  webhookEvents?: WebhookEvent[] | undefined;
  /**
   * The caller reserved this job's usage already (a /v1 batch reserves all its tasks at once): not
   * reserved again, but refunded here when the job does not start.
   */
  reserved?: boolean;
}

/** retryJob: the job retried, whose normalized task and stored references the new job reuses. */
export interface RetrySource {
  jobId: string;
  task: JobTask;
}

export type SubmitResult =
  | { ok: true; state: JobState; created: boolean; params: PhotoMakerParams }
  | {
      ok: false;
      reason: 'invalid';
      errors: RunwareError[];
      /** parameter -> path inside the params, for schema errors (see ParamsError). */
      paths?: Map<string, (string | number)[]>;
    }
  | { ok: false; reason: 'exists' }
  /** Over a limit (usage-ledger.ts): nothing was started. */
  | { ok: false; reason: 'limited'; refusal: LimitRefusal };

export interface SubmitJobDeps {
  jobs: Pick<JobService, 'start' | 'existing'>;
  reads: Pick<JobReads, 'describe' | 'get'>;
  intake: Pick<ImageIntake, 'resolveInputImages' | 'reuseReferences'>;
  guard: Pick<UrlGuard, 'check'>;
  follow: Pick<FollowJob, 'follow'>;
  metrics: Pick<ApiMetrics, 'jobsStarted' | 'inputRejected'>;
  usage: Pick<UsageAdmission, 'reserve' | 'refund' | 'settleWhenDone'>;
  syncWaitMs: number;
  /** The global budget toward Runware (PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT): jobs over it wait for a slot. */
  maxInFlight?: number | undefined;
}

/**
 * One job submission, whatever the transport: validate -> SSRF check of outbound URLs -> idempotent
 * replay or store the reference images -> start the workflow -> metrics -> optional bounded wait. Bad
 * input is a typed result (never a throw) that each transport maps to its own protocol's error.
 */
export class SubmitJob {
  private readonly deps: SubmitJobDeps;
  constructor(deps: SubmitJobDeps) {
    this.deps = deps;
  }

  /**
   * Reserves a set of jobs at once (a /v1 batch): all or none; each job it holds is then submitted with
   * `reserved`.
   */
  reserve(
    tenant: string,
    limits: TenantLimits,
    jobs: readonly { jobId: string; images: number }[],
  ): Promise<Reservation> {
    return this.deps.usage.reserve(tenant, limits, jobs);
  }

  /** One submission as a span of the transport's trace: the job's id, and whether it was created. */
  submit(request: SubmitRequest): Promise<SubmitResult> {
    const span = { attributes: { 'photomaker.via': request.via }, inTraceOnly: true };
    return withSpan('photomaker-api', 'job submit', span, () => this.submitUntraced(request));
  }

  private async submitUntraced(request: SubmitRequest): Promise<SubmitResult> {
    // Usage this request holds for a job that has not started (yet): refunded unless the job starts.
    const hold = { jobId: request.reserved ? request.jobId : undefined };
    try {
      return await this.run(request, hold);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      for (const e of error.errors) this.deps.metrics.inputRejected.inc({ via: request.via, code: e.code });
      return {
        ok: false,
        reason: 'invalid',
        errors: error.errors,
        ...(error instanceof ParamsError ? { paths: error.paths } : {}),
      };
    } finally {
      if (hold.jobId !== undefined) await this.deps.usage.refund([hold.jobId]);
    }
  }

  private async run(request: SubmitRequest, hold: { jobId: string | undefined }): Promise<SubmitResult> {
    const { tenant, idempotencyKey: key } = request;
    const { reads, guard, metrics } = this.deps;
    if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
      throw InvalidInputError.of(
        'invalidIdempotencyKey',
        'idempotencyKey',
        "Invalid value for 'idempotencyKey': it must be 1 to 255 printable ASCII characters.",
      );
    }
    const cancelAt = deadlineOf(request.cancelAfter);
    const priority = priorityOf(request.priority) ?? request.defaultPriority ?? 'NORMAL';
    const checked = jobOptionsOf(request);
    const params = paramsOf(request.input);
    const options = withRegenerateBelow(checked, request.regenerateBelow, params);
    const jobId = request.jobId ?? jobIdFor(tenant, key);
    if (request.onlyNew && (await reads.describe(tenant, jobId))) return { ok: false, reason: 'exists' };
    await checkOutboundUrls(guard, params);
    const started = await this.startOrReplay(request, { jobId, cancelAt, priority, options }, params, hold);
    if ('refusal' in started) return { ok: false, reason: 'limited', refusal: started.refusal };
    const { state, created } = started;
    setSpanAttributes({ 'photomaker.job_id': jobId, 'photomaker.created': created });
    if (created) {
      hold.jobId = undefined;
      this.deps.usage.settleWhenDone(tenant, state, request.logger);
    }
    metrics.jobsStarted.inc({ via: request.via, created: String(created) });
    request.logger.info({ jobId, created, tenant }, created ? 'job started' : 'idempotent replay');
    if (request.onlyNew && !created) return { ok: false, reason: 'exists' };
    if (!request.waitFor?.(params)) return { ok: true, state, created, params };
    // `state` was just started or read: following it need not read it again.
    const waitDeps = {
      follow: this.deps.follow,
      read: (t: string, id: string) => reads.get(t, id),
      known: true,
    };
    const final = await waitForJob(waitDeps, tenant, state, this.deps.syncWaitMs, {
      logger: request.logger,
      signal: request.signal,
    });
    return { ok: true, state: final, created, params };
  }

  /** The job's task: a retry's task with its references renewed, else the parameters with theirs stored. */
  private async taskOf(
    tenant: string,
    input: SubmitRequest['input'],
    params: PhotoMakerParams,
  ): Promise<JobTask> {
    if ('retry' in input) {
      const inputImages = await this.deps.intake.reuseReferences(tenant, input.retry.task.inputImages);
      return { ...input.retry.task, inputImages };
    }
    const inputImages = await this.deps.intake.resolveInputImages(tenant, params.inputImages);
    return { ...normalizePhotoMaker(params), inputImages };
  }

  /**
   * The existing job of a replayed idempotency key, else a new job with its usage reserved (unless the
   * caller did) and its reference images stored; a replay costs no usage.
   */
  private async startOrReplay(
    request: SubmitRequest,
    ids: {
      jobId: string;
      cancelAt: string | undefined;
      priority: JobPriority;
      options: JobOptions;
    },
    params: PhotoMakerParams,
    hold: { jobId: string | undefined },
  ): Promise<{ state: JobState; created: boolean } | { refusal: LimitRefusal }> {
    const { tenant, idempotencyKey: key } = request;
    const { jobId, cancelAt, priority, options } = ids;
    const job = {
      tenant,
      jobId,
      requestId: request.requestId,
      idempotencyKey: key,
      ...(key !== undefined && 'raw' in request.input
        ? { fingerprint: fingerprintOf(request.input.raw) }
        : {}),
    };
    // Cheap path for replays: no image download, no upload, if the job exists already.
    const replay = key !== undefined ? await this.deps.jobs.existing(job) : undefined;
    if (replay) return { state: replay, created: false };
    if (!request.reserved) {
      const usage = [{ jobId, images: imagesAtMost(params, options) }];
      const reservation = await this.reserve(tenant, request.limits, usage);
      if (!reservation.ok) return { refusal: reservation.refusal };
      // Held by a concurrent request for the same job: that request refunds or keeps it, not this one.
      if (reservation.held.includes(jobId)) hold.jobId = jobId;
    }
    const task = await this.taskOf(tenant, request.input, params);
    const admission = admissionOf(request.limits, this.deps.maxInFlight, priority, task.numberResults);
    // The job keeps the trace it starts in: Job.traceId answers it on every read path.
    const traceId = currentTraceId();
    return this.deps.jobs.start({
      ...job,
      task,
      ...('retry' in request.input ? { retryOf: request.input.retry.jobId } : {}),
      apiKeyId: request.keyId,
      webhookEvents: webhookEventsOf(request),
      ...(cancelAt !== undefined ? { cancelAt } : {}),
      ...(admission ? { admission } : {}),
      ...options,
      ...(traceId !== undefined ? { traceId } : {}),
    });
  }
}

/**
 * What the job tells the admission queue, when a running limit applies to it (the tenant's
 * maxRunningJobs or the global maxInFlight); without either, nothing ever waits and the job starts at
 * once. Its weight toward the global budget: the Runware tasks it holds at once (one per image, up to
 * the per-job window; the worker keeps the job within it).
 */
function admissionOf(
  limits: TenantLimits,
  maxInFlight: number | undefined,
  priority: JobPriority,
  numberResults: number,
): JobAdmission | undefined {
  if (limits.maxRunningJobs === undefined && maxInFlight === undefined) return undefined;
  return {
    priority,
    weight: admissionWeight(numberResults),
    ...(limits.maxRunningJobs !== undefined ? { maxRunningJobs: limits.maxRunningJobs } : {}),
    ...(maxInFlight !== undefined ? { maxInFlight } : {}),
  };
}

const PRIORITIES: ReadonlySet<unknown> = new Set(JOB_PRIORITIES);

/** The priority a client sent, checked; undefined when it sent none. */
export function priorityOf(priority: unknown): JobPriority | undefined {
  if (priority === undefined || priority === null) return undefined;
  if (PRIORITIES.has(priority)) return priority as JobPriority;
  throw InvalidInputError.of(
    'invalidPriority',
    'priority',
    "Invalid value for 'priority': it must be HIGH, NORMAL or LOW.",
  );
}

/**
 * The parameters a submission is checked and counted by (URLs, numberResults, deliveryMethod). A retry's
 * are its job's normalized task, validated when that job was submitted: not validated again.
 */
function paramsOf(input: SubmitRequest['input']): PhotoMakerParams {
  if ('raw' in input) return validateParams(input.raw);
  if ('params' in input) return input.params;
  // Its references are already stored: they are reused as they are (SubmitJob.taskOf), never re-read.
  return { ...input.retry.task, inputImages: [] } as unknown as PhotoMakerParams;
}

/**
 * What a `/v1` job's webhookURL is sent: Runware's result POST per image only, the one body a Runware
 * client parses (the job-level events are GraphQL's `webhookEvents`).
 */
function webhookEventsOf(request: SubmitRequest): WebhookEvent[] | undefined {
  return request.webhookEvents ?? (request.via === 'v1' ? ['IMAGE'] : undefined);
}

/** The absolute deadline of a `cancelAfter`, from now; undefined without one. */
export function deadlineOf(cancelAfter: unknown): string | undefined {
  if (cancelAfter === undefined) return undefined;
  const resolved =
    typeof cancelAfter === 'string'
      ? resolveCancelAfter(cancelAfter, Date.now())
      : { ok: false as const, message: "Invalid value for 'cancelAfter': it must be a string." };
  if (!resolved.ok) throw InvalidInputError.of('invalidCancelAfter', 'cancelAfter', resolved.message);
  return resolved.at;
}
