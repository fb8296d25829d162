import { createHash } from 'node:crypto';
import type { JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import {
  applyJobEvent,
  initialJobState,
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

interface Cursor {
  /** Temporal's page token (base64). */
  t: string;
  /** The filter the token belongs to. */
  f: string;
}

/**
 * Jobs are Temporal workflows: this starts them (claim-check input, idempotent ids, search attributes),
 * reads their state (query while running, the result once closed), lists them from Temporal visibility
 * and cancels them. Every read checks the workflow's tenant and answers "not found" for another tenant.
 */
export class JobService {
  private readonly client: Client;
  private readonly events: JobEventLog;
  private readonly intake: ImageIntake;
  private readonly logger: Logger;
  private orderBySupported: boolean | undefined;
  private readonly inflight = new Map<string, Promise<JobState | undefined>>();

  constructor(options: { client: Client; events: JobEventLog; intake: ImageIntake; logger: Logger }) {
    this.client = options.client;
    this.events = options.events;
    this.intake = options.intake;
    this.logger = options.logger;
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
    return { state: initialJobState(input), created: true };
  }

  /** The existing job for an idempotent request; refuses a key reused with a different request. */
  private async existing(request: StartJobRequest): Promise<JobState | undefined> {
    const description = await this.describe(request.tenant, request.jobId);
    if (!description) return undefined;
    const fingerprint = description.memo?.fingerprint;
    if (request.fingerprint && typeof fingerprint === 'string' && fingerprint !== request.fingerprint) {
      throw InvalidInputError.of(
        'conflictIdempotencyKey',
        'idempotencyKey',
        'This idempotencyKey was already used with a different request; use a new key for a new job.',
      );
    }
    return this.stateOf(description);
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

  /** Concurrent reads of one job (a burst of subscribers, say) share one describe + query. */
  async get(tenant: string, jobId: string): Promise<JobState | undefined> {
    const key = `${tenant}\u0000${jobId}`;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const read = (async () => {
      const description = await this.describe(tenant, jobId);
      return description ? this.stateOf(description) : undefined;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, read);
    return read;
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
