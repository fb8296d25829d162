import { randomUUID } from 'node:crypto';
import type { BlobStore } from '@photomaker/blobstore';
import type { RedisClient } from '@photomaker/events';
import { type Logger, withSpan } from '@photomaker/observability';
import {
  type ErrorContext,
  isPhotoMakerJobTask,
  isTerminalStatus,
  type PhotoMakerJobTask,
  type ReferenceCheckMode,
  type RunwareError,
  TASK_SCHEMAS,
  validateTask,
} from '@photomaker/schema';
import type { JobPriority } from '@photomaker/temporal';
import type { ImageUrls } from '../../http/image-urls.ts';
import type { EstimateJob } from '../../jobs/estimate-job.ts';
import { jobIdForRunwareTask } from '../../jobs/ids.ts';
import type { ImageIntake } from '../../jobs/image-intake.ts';
import { InvalidInputError } from '../../jobs/input-error.ts';
import type { JobReads } from '../../jobs/job-reads.ts';
import type { QueueStatuses } from '../../jobs/queue-statuses.ts';
import type { SubmitJob } from '../../jobs/submit-job.ts';
import type { Reservation, TenantLimits } from '../../jobs/usage-ledger.ts';
import type { ApiMetrics } from '../../metrics.ts';
import { V1DryRun } from './dry-run.ts';
import { reportedImages } from './response-images.ts';
import {
  type Item,
  inputErrors,
  jobError,
  limitError,
  runwareError,
  type TaskOutcome,
  V1Results,
  withContext,
} from './results.ts';
import { V1TaskForms } from './task-forms.ts';
import { type V1TraceOrigin, v1BatchSpan } from './v1-span.ts';

export interface V1TaskDeps {
  submit: Pick<SubmitJob, 'submit' | 'reserve'>;
  reads: Pick<JobReads, 'get'>;
  /** A queued job's place in the admission queue: getResponse adds it to processing items. */
  queue?: Pick<QueueStatuses, 'load'>;
  intake: Pick<ImageIntake, 'upload' | 'checkUpload'>;
  /** Dry runs: validation and price without a job. */
  estimate: Pick<EstimateJob, 'estimate'>;
  /**
   * Redis for what /v1 remembers per taskUUID: the image a re-sent imageUpload stored the first time,
   * the form (photoMaker | imageInference) a task came in (task-forms.ts).
   */
  uploads: Pick<RedisClient, 'get' | 'set'>;
  blobs: Pick<BlobStore, 'get'>;
  imageUrls: Pick<ImageUrls, 'urlFor'>;
  metrics: Pick<ApiMetrics, 'v1Tasks'>;
  logger: Logger;
  syncWaitMs: number;
  /** Max tasks in one request. */
  maxTasks: number;
}

/** Who runs a batch: the tenant, the request id, and whether the client is still there. */
export interface V1Caller extends V1TraceOrigin {
  tenant: string;
  /** The caller's API key id (usage per key). */
  keyId?: string | undefined;
  requestId: string;
  signal: AbortSignal;
  /** The tenant's effective limits (the admitted principal's). */
  limits: TenantLimits;
  /** The tenant's default job priority (a task's own `priority` wins). */
  defaultPriority?: JobPriority | undefined;
  /** The tenant's default reference check (a task's own `referenceCheck` wins). */
  defaultReferenceCheck?: ReferenceCheckMode | undefined;
  /**
   * Transports that push results (the /v1 WebSocket): a sync task is not waited for; it is handed here
   * once its job has started and answers nothing yet. Without it (REST), sync tasks wait.
   */
  push?: (accepted: AcceptedTask) => void;
  /** Runware's dry run (`X-Runware-Dry-Run: 1`, `?dryRun=1`): validate and price, start nothing. */
  dryRun?: boolean;
}

/** A sync task whose job has started, for a transport that pushes its results as they come. */
export interface AcceptedTask {
  jobId: string;
  taskUUID: string;
  /** The taskType the client sent: results and errors echo it. */
  taskType: string;
}

/** A batch refused whole: its errors, and the Retry-After of a limit refusal. */
export type BatchOutcome = TaskOutcome & { retryAfterSeconds?: number };

const ok = (data: Item[]): TaskOutcome => ({ data, errors: [] });

/**
 * What refuses a whole batch before any of its tasks starts: more tasks than `maxTasks`, or a task that
 * is not an object with a supported taskType (any string: `constructor` too). One error per such task.
 */
export function batchErrors(batch: readonly unknown[], maxTasks: number): RunwareError[] {
  if (batch.length > maxTasks) {
    const message = `A request carries at most ${maxTasks} tasks; this one has ${batch.length}.`;
    return [runwareError('invalidTaskFormat', message, { max: maxTasks })];
  }
  return batch.flatMap((task) => {
    const record = task !== null && typeof task === 'object' ? (task as Item) : undefined;
    const typed = typeof record?.taskType === 'string' && Object.hasOwn(TASK_SCHEMAS, record.taskType);
    if (typed) return [];
    const validation = validateTask(task);
    return validation.ok ? [] : inputErrors(validation.errors, {});
  });
}

/** A task's taskType as sent, or 'unknown' (metric labels map it through their closed set). */
function taskTypeOf(task: unknown): string {
  return typeof (task as Item)?.taskType === 'string' ? String((task as Item).taskType) : 'unknown';
}

/**
 * One task of a /v1 batch: Runware's task types mapped onto our use cases. A client taskUUID maps to one
 * job per tenant (UUID v5), so a re-sent taskUUID is `conflictTaskUUID` and never a second run, and
 * getResponse answers from the job's state.
 */
export class V1Tasks {
  private readonly deps: V1TaskDeps;
  private readonly results: V1Results;
  private readonly forms: V1TaskForms;
  private readonly dry: V1DryRun;

  constructor(deps: V1TaskDeps) {
    this.deps = deps;
    this.results = new V1Results(deps);
    this.forms = new V1TaskForms(deps.uploads);
    this.dry = new V1DryRun(deps);
  }

  /**
   * A batch: refused whole when batchErrors finds anything or its photoMaker tasks together exceed a
   * limit (all their jobs and images are reserved at once, or none), else every task at once.
   */
  async runBatch(batch: readonly unknown[], caller: V1Caller): Promise<BatchOutcome> {
    const refused = batchErrors(batch, this.deps.maxTasks);
    if (refused.length > 0) return this.refuseWhole({ data: [], errors: refused }, batch);
    const jobs = photoMakerJobs(batch, caller.tenant);
    if (jobs.length === 0) return this.startBatch(batch, caller, jobs);
    const span = v1BatchSpan(caller, caller.tenant, jobs.length);
    const name = caller.transport === 'ws' ? 'v1 websocket frame' : 'POST /v1';
    return withSpan('photomaker-api', name, span, () => this.startBatch(batch, caller, jobs));
  }

  private async startBatch(
    batch: readonly unknown[],
    caller: V1Caller,
    jobs: { jobId: string; images: number }[],
  ): Promise<BatchOutcome> {
    // A dry run reserves nothing: it starts no job, takes no queue place and counts against no quota
    // (not even an empty reservation, which a tenant over a lowered maxQueuedJobs would be refused).
    const reservation: Reservation = caller.dryRun
      ? { ok: true, held: [] }
      : await this.deps.submit.reserve(caller.tenant, caller.limits, jobs);
    if (!reservation.ok) {
      const { refusal } = reservation;
      const errors = [limitError(refusal)];
      return this.refuseWhole({ data: [], errors, retryAfterSeconds: refusal.retryAfterSeconds }, batch);
    }
    const reserved = new Set(reservation.held);
    const outcomes = await Promise.all(batch.map((task) => this.run(task, caller, reserved)));
    return {
      data: outcomes.flatMap((outcome) => outcome.data),
      errors: outcomes.flatMap((outcome) => outcome.errors),
    };
  }

  /** A batch refused whole still shows in the metrics (its taskTypes mapped through the closed set). */
  private refuseWhole(outcome: BatchOutcome, batch: readonly unknown[]): BatchOutcome {
    for (const task of batch.slice(0, this.deps.maxTasks))
      this.deps.metrics.v1Tasks.inc({ taskType: taskTypeOf(task), outcome: 'error' });
    return outcome;
  }

  /** One task; `reserved`: the job ids whose usage the batch reserved (each claimed by one task). */
  async run(task: unknown, caller: V1Caller, reserved = new Set<string>()): Promise<TaskOutcome> {
    const validation = validateTask(task);
    const taskType = taskTypeOf(task);
    const outcome = validation.ok
      ? await this.dispatch(validation.value, caller, taskType, {
          reserved,
          cancelAfter: extraOf(task, 'cancelAfter'),
          priority: extraOf(task, 'priority'),
          referenceCheck: extraOf(task, 'referenceCheck'),
          minLikeness: extraOf(task, 'minLikeness'),
          regenerateBelow: extraOf(task, 'regenerateBelow'),
          expiresIn: extraOf(task, 'expiresIn'),
        })
      : { data: [], errors: validation.errors };
    this.deps.metrics.v1Tasks.inc({ taskType, outcome: outcome.errors.length > 0 ? 'error' : 'ok' });
    return outcome;
  }

  private async dispatch(
    value: Extract<ReturnType<typeof validateTask>, { ok: true }>['value'],
    caller: V1Caller,
    taskType: string,
    extra: TaskExtras,
  ): Promise<TaskOutcome> {
    const context: ErrorContext = {
      taskType: value.taskType,
      taskUUID: 'taskUUID' in value ? value.taskUUID : undefined,
    };
    try {
      switch (value.taskType) {
        case 'authentication':
          return ok([{ taskType: 'authentication', connectionSessionUUID: randomUUID() }]);
        case 'ping':
          return ok([{ taskType: 'ping', pong: true }]);
        case 'imageUpload':
          if (caller.dryRun) return await this.dry.imageUpload(value.taskUUID, value.image);
          return await this.imageUpload(caller.tenant, value.taskUUID, value.image);
        case 'getResponse':
          return await this.getResponse(caller.tenant, value.taskUUID);
        // Both of Runware's forms of a PhotoMaker task are one job; the answer echoes the form sent.
        case 'photoMaker':
        case 'imageInference':
          if (caller.dryRun) return await this.dry.photoMaker(value, caller, extra);
          return await this.photoMaker(value, caller, extra);
      }
    } catch (caught) {
      if (caught instanceof InvalidInputError)
        return { data: [], errors: inputErrors(caught.errors, context) };
      this.deps.logger.error(
        { err: caught, requestId: caller.requestId, taskType },
        'v1 task failed (masked)',
      );
      return {
        data: [],
        errors: [runwareError('internalServerError', 'Internal server error.', withContext(context))],
      };
    }
  }

  private async imageUpload(tenant: string, taskUUID: string, image: string): Promise<TaskOutcome> {
    const { uploads, intake, imageUrls } = this.deps;
    // A re-sent imageUpload taskUUID returns the image stored the first time.
    const key = `photomaker:v1:upload:${tenant}:${taskUUID.toLowerCase()}`;
    const previous = await uploads.get(key);
    const stored = previous
      ? (JSON.parse(previous) as Awaited<ReturnType<typeof intake.upload>>)
      : await intake.upload(tenant, image, 'image');
    if (!previous) await uploads.set(key, JSON.stringify(stored), 'EX', 30 * 24 * 3600, 'NX');
    return ok([
      { taskType: 'imageUpload', taskUUID, imageUUID: stored.id, imageURL: imageUrls.urlFor(stored.blob) },
    ]);
  }

  private async photoMaker(
    task: PhotoMakerJobTask,
    caller: V1Caller,
    { reserved, cancelAfter, priority, referenceCheck, minLikeness, regenerateBelow, expiresIn }: TaskExtras,
  ): Promise<TaskOutcome> {
    const { taskType, taskUUID, ...params } = task;
    const context = { taskType, taskUUID };
    const jobId = jobIdForRunwareTask(caller.tenant, taskUUID);
    // A taskUUID sent twice in one batch was reserved once: the first task claims it. One held already
    // (re-sent) was not reserved here: submit answers it as existing without reserving.
    const claimed = reserved.delete(jobId);
    const result = await this.deps.submit.submit({
      tenant: caller.tenant,
      via: 'v1',
      // validateTask has validated the whole task (these parameters with it): not validated again.
      input: { params },
      logger: this.deps.logger.child({ requestId: caller.requestId, tenant: caller.tenant, transport: 'v1' }),
      requestId: caller.requestId,
      jobId,
      onlyNew: true,
      cancelAfter,
      priority,
      defaultPriority: caller.defaultPriority,
      referenceCheck,
      defaultReferenceCheck: caller.defaultReferenceCheck,
      minLikeness,
      regenerateBelow,
      expiresIn,
      limits: caller.limits,
      keyId: caller.keyId,
      reserved: claimed,
      // Runware answers webhook and async tasks with an immediate acknowledgement; a pushing transport
      // sends sync results as they come instead of waiting here.
      waitFor: (p) => !caller.push && p.deliveryMethod !== 'async' && !p.webhookURL,
      signal: caller.signal,
    });
    if (!result.ok && result.reason === 'exists') {
      const message = 'A task with this taskUUID was already accepted; poll getResponse for its results.';
      return {
        data: [],
        errors: [runwareError('conflictTaskUUID', message, { ...context, parameter: 'taskUUID' })],
      };
    }
    if (!result.ok && result.reason === 'limited')
      return { data: [], errors: [limitError(result.refusal, context)] };
    if (!result.ok) return { data: [], errors: inputErrors(result.errors, context) };
    const { state } = result;
    if (result.created) await this.forms.remember(caller.tenant, taskUUID, taskType);
    if (params.deliveryMethod === 'async' || params.webhookURL) return ok([{ taskType, taskUUID }]);
    if (caller.push) {
      caller.push({ jobId, taskUUID, taskType });
      return ok([]);
    }
    if (state.status === 'SUCCEEDED') return ok(await this.results.all(state, taskUUID, undefined, taskType));
    if (isTerminalStatus(state.status))
      return { data: [], errors: [jobError(state, taskUUID, undefined, taskType)] };
    const seconds = Math.round(this.deps.syncWaitMs / 1000);
    const message = `The task did not finish within ${seconds} s; it continues: poll getResponse with this taskUUID.`;
    return { data: [], errors: [runwareError('timeout', message, context)] };
  }

  /** One item per generation in index order: processing | success, failed ones in errors. */
  private async getResponse(tenant: string, taskUUID: string): Promise<TaskOutcome> {
    const state = await this.deps.reads.get(tenant, jobIdForRunwareTask(tenant, taskUUID));
    if (!state) {
      const message = 'No task with this taskUUID was found for this API key.';
      const where = { taskType: 'getResponse', taskUUID, parameter: 'taskUUID' };
      return { data: [], errors: [runwareError('taskNotFound', message, where)] };
    }
    const taskType = await this.forms.formOf(tenant, taskUUID);
    // Our extra on a waiting task (Runware's clients ignore fields they do not know).
    const position =
      state.status === 'QUEUED' ? (await this.deps.queue?.load(state.jobId))?.position : undefined;
    const processing = {
      taskType,
      taskUUID,
      status: 'processing',
      ...(position ? { queuePosition: position } : {}),
    };
    const data: Item[] = [];
    const errors: RunwareError[] = [];
    // Extra images (regenerateBelow) are items of their own beside the job's numberResults.
    const { done, pending } = reportedImages(state);
    for (const image of done) data.push(await this.results.item(state, image, taskUUID, 'success', taskType));
    for (let i = 0; i < pending; i++) {
      if (state.status === 'FAILED' || state.status === 'CANCELLED')
        errors.push(jobError(state, taskUUID, 'error', taskType));
      else data.push({ ...processing });
    }
    return { data, errors };
  }
}

/** What a PhotoMaker task carries besides its Runware parameters. */
interface TaskExtras {
  /** The job ids whose usage the batch reserved (each claimed by one task). */
  reserved: Set<string>;
  cancelAfter: unknown;
  priority: unknown;
  referenceCheck: unknown;
  minLikeness: unknown;
  /** Extra images while fewer than numberResults pass minLikeness (counted at submission). */
  regenerateBelow: unknown;
  /** fal's `expires_in`: a shorter life for this job's outputs and references. */
  expiresIn: unknown;
}

/**
 * One of our extra fields of a photoMaker task (`cancelAfter`, `priority`, `referenceCheck`, `minLikeness`,
 * `regenerateBelow`, `expiresIn`): the wire schema drops them, Runware would ignore them; submission validates them.
 */
function extraOf(
  task: unknown,
  field: 'cancelAfter' | 'priority' | 'referenceCheck' | 'minLikeness' | 'regenerateBelow' | 'expiresIn',
): unknown {
  return task !== null && typeof task === 'object' && field in task
    ? (task as Record<string, unknown>)[field]
    : undefined;
}

/**
 * The jobs a batch's PhotoMaker tasks (either form) would start (one per taskUUID), with the most images
 * each can make (numberResults and its regenerateBelow; one out of range is refused at submission).
 */
function photoMakerJobs(batch: readonly unknown[], tenant: string): { jobId: string; images: number }[] {
  const jobs = new Map<string, number>();
  for (const task of batch) {
    const validation = validateTask(task);
    if (!validation.ok || !isPhotoMakerJobTask(validation.value)) continue;
    const jobId = jobIdForRunwareTask(tenant, validation.value.taskUUID);
    const images = validation.value.numberResults ?? 1;
    const extra = extraOf(task, 'regenerateBelow');
    const extraImages = Number.isInteger(extra) ? Math.min(Math.max(extra as number, 0), images) : 0;
    if (!jobs.has(jobId)) jobs.set(jobId, images + extraImages);
  }
  return [...jobs].map(([jobId, images]) => ({ jobId, images }));
}
