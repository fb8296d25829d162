import { createHash } from 'node:crypto';
import type { JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import {
  applyJobEvent,
  initialJobState,
  isTerminalStatus,
  type JobEvent,
  type JobState,
  type JobStatus,
  type JobTask,
  jobStateSchema,
  normalizePhotoMaker,
  type PhotoMakerParams,
} from '@photomaker/schema';
import {
  jobIdFromWorkflowId,
  jobStateQuery,
  type PhotoMakerJobInput,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowExecutionDescription,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import { newRunwareTaskUUID } from './ids.ts';
import type { ImageIntake } from './image-intake.ts';
import { InvalidInputError } from './input-error.ts';
import type { JobRecord, JobRecords } from './job-records.ts';

export interface StartJobRequest {
  tenant: string;
  jobId: string;
  /** Validated params (defaults applied), inputImages still as the client sent them. */
  params: PhotoMakerParams;
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** Identifies the request body: a reused idempotency key with another body is refused. */
  fingerprint?: string | undefined;
}

export interface StartJobResult {
  state: JobState;
  /** false when the job already existed (idempotent replay). */
  created: boolean;
}

export interface JobPage {
  nodes: JobState[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

const QUERY_TIMEOUT_MS = 3_000;
/**
 * An unfinished job older than this is checked against Temporal on read (one describe): a workflow that
 * was terminated or timed out ends without a terminal event in the stream. Younger jobs (every subscribe
 * right after a creation) are read from Redis alone.
 */
export const RECONCILE_AFTER_MS = 10_000;

interface Cursor {
  /** Temporal's page token (base64). */
  t: string;
  /** The filter the token belongs to. */
  f: string;
}

/**
 * Jobs are Temporal workflows: this starts them (claim-check input, idempotent ids, search attributes),
 * reads their state, lists them from Temporal visibility and cancels them. Every read checks the job's
 * tenant and answers "not found" for another tenant.
 *
 * Reads: the job record written at creation (Redis) folded with the job's event stream: the workflow's
 * state is the fold of the same events, so both agree, at the cost of one Redis round trip instead of a
 * describe plus a workflow query. Temporal answers when the record or a gap-free stream is missing (older
 * jobs, expired or trimmed streams) and for unfinished jobs older than `reconcileAfterMs`.
 */
export class JobService {
  private readonly client: Client;
  private readonly events: JobEventLog;
  private readonly records: JobRecords;
  private readonly intake: ImageIntake;
  private readonly logger: Logger;
  private readonly reconcileAfterMs: number;
  private orderBySupported: boolean | undefined;
  private readonly inflight = new Map<string, Promise<JobState | undefined>>();

  constructor(options: {
    client: Client;
    events: JobEventLog;
    records: JobRecords;
    intake: ImageIntake;
    logger: Logger;
    reconcileAfterMs?: number;
  }) {
    this.client = options.client;
    this.events = options.events;
    this.records = options.records;
    this.intake = options.intake;
    this.logger = options.logger;
    this.reconcileAfterMs = options.reconcileAfterMs ?? RECONCILE_AFTER_MS;
  }

  async start(request: StartJobRequest): Promise<StartJobResult> {
    const { tenant, jobId } = request;
    if (request.idempotencyKey !== undefined) {
      // Cheap path for replays: no image download, no upload, if the job exists already.
      const existing = await this.existing(request);
      if (existing) return { state: existing, created: false };
    }
    const inputImages = await this.intake.resolveInputImages(tenant, request.params.inputImages);
    const task: JobTask = { ...normalizePhotoMaker(request.params), inputImages };
    const input: PhotoMakerJobInput = {
      jobId,
      tenant,
      task,
      runwareTaskUUID: newRunwareTaskUUID(),
      createdAt: new Date().toISOString(),
      ...(request.requestId ? { requestId: request.requestId } : {}),
      ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
    };
    try {
      await this.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: TASK_QUEUE,
        workflowId: workflowIdForJob(jobId),
        args: [input],
        // One job id, one workflow, ever: a running or closed duplicate is reported, never started again.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.tenant, value: tenant },
          { key: SEARCH_ATTRIBUTES.status, value: 'QUEUED' },
          { key: SEARCH_ATTRIBUTES.style, value: task.style },
          { key: SEARCH_ATTRIBUTES.model, value: task.model },
        ],
        // No prompt here: summaries are not encrypted.
        staticSummary: `${task.numberResults} × ${task.width}x${task.height}, ${task.style}, ${task.model}`,
        memo: {
          tenant,
          ...(request.requestId ? { requestId: request.requestId } : {}),
          ...(request.fingerprint ? { fingerprint: request.fingerprint } : {}),
        },
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      const existing = await this.existing(request);
      if (!existing) throw error;
      return { state: existing, created: false };
    }
    // Only the request that started the workflow writes its record (exactly the input it started), before
    // the job id is handed out. Without it (Redis down) reads fall back to Temporal: log, don't fail.
    await this.records.save(input, request.fingerprint).catch((error: unknown) => {
      this.logger.warn(
        { jobId, reason: error instanceof Error ? error.message : String(error) },
        'job record not stored; reads of this job will ask Temporal',
      );
    });
    return { state: initialJobState(input), created: true };
  }

  /** The existing job for an idempotent request; refuses a key reused with a different request. */
  private async existing(request: StartJobRequest): Promise<JobState | undefined> {
    const { tenant, jobId } = request;
    const found = await this.fromRecord(tenant, jobId);
    if (found.kind === 'other-tenant') return undefined;
    if (found.kind === 'found') {
      this.checkFingerprint(request, found.record.fingerprint);
      return this.settled(tenant, jobId, found.state);
    }
    const description = await this.describe(tenant, jobId);
    if (!description) return undefined;
    this.checkFingerprint(request, description.memo?.fingerprint);
    return this.stateOf(description);
  }

  private checkFingerprint(request: StartJobRequest, fingerprint: unknown): void {
    if (request.fingerprint && typeof fingerprint === 'string' && fingerprint !== request.fingerprint) {
      throw InvalidInputError.of(
        'conflictIdempotencyKey',
        'idempotencyKey',
        'This idempotencyKey was already used with a different request; use a new key for a new job.',
      );
    }
  }

  /** The workflow of a job if it belongs to `tenant`. */
  async describe(tenant: string, jobId: string): Promise<WorkflowExecutionDescription | undefined> {
    const handle = this.client.workflow.getHandle(workflowIdForJob(jobId));
    let description: WorkflowExecutionDescription;
    try {
      description = await handle.describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      if (isInvalidArgument(error)) return undefined;
      throw error;
    }
    if (description.type !== WORKFLOW_TYPE) return undefined;
    if (description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.tenant) !== tenant) return undefined;
    return description;
  }

  /** A job's state, or undefined when it does not exist for `tenant`. Concurrent reads of one job share one. */
  async get(tenant: string, jobId: string): Promise<JobState | undefined> {
    const key = `${tenant}\u0000${jobId}`;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const read = this.read(tenant, jobId).finally(() => this.inflight.delete(key));
    this.inflight.set(key, read);
    return read;
  }

  private async read(tenant: string, jobId: string): Promise<JobState | undefined> {
    const found = await this.fromRecord(tenant, jobId);
    if (found.kind === 'other-tenant') return undefined;
    if (found.kind === 'found') return this.settled(tenant, jobId, found.state);
    const description = await this.describe(tenant, jobId);
    return description ? this.stateOf(description) : undefined;
  }

  /** A state folded from Redis, checked against Temporal only when it is unfinished and old. */
  private async settled(tenant: string, jobId: string, state: JobState): Promise<JobState | undefined> {
    if (isTerminalStatus(state.status)) return state;
    if (Date.now() - Date.parse(state.createdAt) < this.reconcileAfterMs) return state;
    return this.reconcile(tenant, jobId, state);
  }

  /**
   * The job from Redis: its record folded with its event stream. `missing` when that can't be exact (no
   * record: an older job or another API version; a stream that does not run gap-free from seq 1).
   */
  private async fromRecord(
    tenant: string,
    jobId: string,
  ): Promise<
    { kind: 'found'; state: JobState; record: JobRecord } | { kind: 'other-tenant' } | { kind: 'missing' }
  > {
    let record: JobRecord | undefined;
    let events: JobEvent[];
    try {
      [record, events] = await Promise.all([this.records.load(jobId), this.events.range(jobId, 0)]);
    } catch (error) {
      // Redis unreachable (or a malformed entry): Temporal can still answer.
      this.logger.debug(
        { jobId, reason: error instanceof Error ? error.message : String(error) },
        'job record read failed; asking Temporal',
      );
      return { kind: 'missing' };
    }
    if (!record) return { kind: 'missing' };
    if (record.start.tenant !== tenant) return { kind: 'other-tenant' };
    let state = initialJobState(record.start);
    for (const event of events) {
      if (event.seq !== state.seq + 1) return { kind: 'missing' };
      state = applyJobEvent(state, event);
    }
    return { kind: 'found', state, record };
  }

  /**
   * An unfinished job past `reconcileAfterMs`: the stream says running, but a workflow that was terminated
   * or timed out (or whose stream lost its end) says otherwise. One describe; the closed workflow wins.
   */
  private async reconcile(tenant: string, jobId: string, state: JobState): Promise<JobState | undefined> {
    let description: WorkflowExecutionDescription | undefined;
    try {
      description = await this.describe(tenant, jobId);
    } catch (error) {
      // Temporal unreachable: what Redis says is the best answer there is.
      this.logger.debug(
        { jobId, reason: error instanceof Error ? error.message : String(error) },
        'describe failed; answering from the event stream',
      );
      return state;
    }
    // Gone from Temporal (closed, then past the namespace's retention): as before the records, not found.
    if (!description) return undefined;
    if (description.status.name === 'RUNNING') return state;
    return this.stateOf(description);
  }

  /** Running: the workflow's query. Closed: its result (history only, no worker needed). */
  async stateOf(description: WorkflowExecutionDescription): Promise<JobState> {
    const handle = this.client.workflow.getHandle(description.workflowId, description.runId);
    const status = description.status.name;
    try {
      // Before the worker's first workflow task (started, task scheduled, task started) a query would only
      // wait for a worker: the start input plus the event log say the same, at once.
      if (status === 'RUNNING' && Number(description.historyLength) < 4)
        return await this.rebuild(description);
      if (status === 'RUNNING') {
        const state = await this.client.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () =>
          handle.query(jobStateQuery),
        );
        return jobStateSchema.parse(state);
      }
      if (status === 'COMPLETED') return jobStateSchema.parse(await handle.result());
    } catch (error) {
      // Expected while no worker answers (or a workflow task is failing): not worth a stack trace.
      this.logger.debug(
        {
          reason: error instanceof Error ? error.message : String(error),
          workflowId: description.workflowId,
          status,
        },
        'job state query failed; rebuilding it from the start input and the event log',
      );
    }
    return this.rebuild(description);
  }

  /** Start input + every logged event: a faithful state without a worker (or after an abnormal end). */
  private async rebuild(description: WorkflowExecutionDescription): Promise<JobState> {
    const history = await this.client.workflowService.getWorkflowExecutionHistory({
      namespace: this.client.options.namespace,
      execution: { workflowId: description.workflowId, runId: description.runId },
      maximumPageSize: 1,
    });
    const started = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
    const [input] = (await decodeArrayFromPayloads(
      this.client.options.loadedDataConverter,
      started?.input?.payloads,
    )) as [PhotoMakerJobInput];
    let state = initialJobState(input);
    // allowGaps: the stream's oldest entries may have been trimmed or expired.
    for (const event of await this.events.range(input.jobId, 0)) {
      state = applyJobEvent(state, event, { allowGaps: true });
    }
    const status = description.status.name;
    const closedAt = description.closeTime?.toISOString() ?? new Date().toISOString();
    if (status === 'CANCELLED' && state.status !== 'CANCELLED') {
      state = { ...state, status: 'CANCELLED', stage: 'cancelled', finishedAt: state.finishedAt ?? closedAt };
    } else if (['FAILED', 'TERMINATED', 'TIMED_OUT'].includes(status) && state.status !== 'FAILED') {
      state = {
        ...state,
        status: 'FAILED',
        stage: 'failed',
        finishedAt: state.finishedAt ?? closedAt,
        error: state.error ?? {
          code: status === 'TIMED_OUT' ? 'timeout' : 'internalServerError',
          message:
            status === 'TERMINATED'
              ? 'The job was terminated by an operator.'
              : status === 'TIMED_OUT'
                ? 'The job exceeded its time limit.'
                : 'The job failed unexpectedly.',
          retryable: false,
        },
      };
    }
    return state;
  }

  async cancel(tenant: string, jobId: string): Promise<JobState | undefined> {
    const description = await this.describe(tenant, jobId);
    if (!description) return undefined;
    if (description.status.name === 'RUNNING') {
      await this.client.workflow.getHandle(description.workflowId, description.runId).cancel();
    }
    return this.stateOf(description);
  }

  /**
   * Newest first from Temporal visibility. Servers with Elasticsearch visibility take
   * `ORDER BY StartTime DESC`; the SQL visibility of the dev server refuses ORDER BY and orders running
   * jobs first (newest first), then closed ones by close time: we ask once and fall back.
   */
  async list(
    tenant: string,
    options: { first: number; after?: string | null | undefined; status?: JobStatus | null | undefined },
  ): Promise<JobPage> {
    let filter = `WorkflowType='${WORKFLOW_TYPE}' AND ${SEARCH_ATTRIBUTES.tenant.name}='${tenant}'`;
    if (options.status) filter += ` AND ${SEARCH_ATTRIBUTES.status.name}='${options.status}'`;
    const filterKey = fingerprintOf(filter).slice(0, 16);
    let nextPageToken: Uint8Array | undefined;
    if (options.after) {
      const cursor = decodeCursor(options.after);
      if (!cursor || cursor.f !== filterKey) {
        throw InvalidInputError.of(
          'invalidAfter',
          'after',
          "Invalid value for 'after': not a cursor of this list.",
        );
      }
      nextPageToken = Buffer.from(cursor.t, 'base64');
    }
    const response = await this.listPage(filter, options.first, nextPageToken);
    const nodes: JobState[] = [];
    const executions = response.executions ?? [];
    const states = await Promise.all(
      executions.map(async (execution) => {
        const jobId = jobIdFromWorkflowId(execution.execution?.workflowId ?? '');
        return jobId ? this.get(tenant, jobId).catch(() => undefined) : undefined;
      }),
    );
    for (const state of states) if (state) nodes.push(state);
    const token =
      response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
    return {
      nodes,
      hasNextPage: token !== undefined,
      endCursor: token ? encodeCursor({ t: Buffer.from(token).toString('base64'), f: filterKey }) : null,
    };
  }

  private async listPage(filter: string, pageSize: number, nextPageToken: Uint8Array | undefined) {
    const request = (query: string) =>
      this.client.workflowService.listWorkflowExecutions({
        namespace: this.client.options.namespace,
        pageSize,
        query,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
    if (this.orderBySupported !== false) {
      try {
        const response = await request(`${filter} ORDER BY StartTime DESC`);
        this.orderBySupported = true;
        return response;
      } catch (error) {
        if (this.orderBySupported === true || !isInvalidArgument(error)) throw error;
        this.orderBySupported = false;
      }
    }
    return request(filter);
  }
}

function isInvalidArgument(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 3;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(text: string): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    return typeof value.t === 'string' && typeof value.f === 'string'
      ? { t: value.t, f: value.f }
      : undefined;
  } catch {
    return undefined;
  }
}
