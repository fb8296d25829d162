import type { JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import {
  applyJobEvent,
  closedWorkflowState,
  initialJobState,
  isTerminalStatus,
  type JobEvent,
  type JobState,
  jobStateSchema,
} from '@photomaker/schema';
import { jobStateQuery, type PhotoMakerJobInput } from '@photomaker/temporal';
import { startInputOf } from '@photomaker/temporal/history';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { JobRecord, JobRecords } from './job-records.ts';
import { describeJob } from './job-workflow.ts';

const QUERY_TIMEOUT_MS = 3_000;
/**
 * An unfinished job older than this is checked against Temporal on read (one describe): a workflow that
 * was terminated or timed out ends without a terminal event in the stream. Younger jobs (every subscribe
 * right after a creation) are read from Redis alone.
 */
export const RECONCILE_AFTER_MS = 10_000;

export type RecordRead =
  | { kind: 'found'; state: JobState; record: JobRecord }
  | { kind: 'other-tenant' }
  | { kind: 'missing' };

/**
 * Reads a job's state. Every read checks the job's tenant and answers "not found" for another tenant.
 *
 * The job record written at creation (Redis) folded with the job's event stream: the workflow's state is
 * the fold of the same events, so both agree, at the cost of one Redis round trip instead of a describe
 * plus a workflow query. Temporal answers when the record or a gap-free stream is missing (older jobs,
 * expired or trimmed streams) and for unfinished jobs older than `reconcileAfterMs`.
 */
export class JobReads {
  private readonly client: Client;
  private readonly events: JobEventLog;
  private readonly records: JobRecords;
  private readonly logger: Logger;
  private readonly reconcileAfterMs: number;
  private readonly inflight = new Map<string, Promise<JobState | undefined>>();

  constructor(options: {
    client: Client;
    events: JobEventLog;
    records: JobRecords;
    logger: Logger;
    reconcileAfterMs?: number;
  }) {
    this.client = options.client;
    this.events = options.events;
    this.records = options.records;
    this.logger = options.logger;
    this.reconcileAfterMs = options.reconcileAfterMs ?? RECONCILE_AFTER_MS;
  }

  /** The workflow of a job if it belongs to `tenant`. */
  describe(tenant: string, jobId: string): Promise<WorkflowExecutionDescription | undefined> {
    return describeJob(this.client, tenant, jobId);
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
    if (await this.erased(jobId)) return undefined;
    const description = await this.describe(tenant, jobId);
    return description ? this.stateOf(description) : undefined;
  }

  /** Erased (deleteJob, retention) while Temporal may still be deleting its execution. */
  private async erased(jobId: string): Promise<boolean> {
    try {
      return await this.records.erased(jobId);
    } catch {
      // Redis unreachable: Temporal answers, as for any read without a record.
      return false;
    }
  }

  /** A state folded from Redis, checked against Temporal only when it is unfinished and old. */
  async settled(tenant: string, jobId: string, state: JobState): Promise<JobState | undefined> {
    if (isTerminalStatus(state.status)) return state;
    if (Date.now() - Date.parse(state.createdAt) < this.reconcileAfterMs) return state;
    return this.reconcile(tenant, jobId, state);
  }

  /**
   * The job from Redis: its record folded with its event stream. `missing` when that can't be exact (no
   * record: an older job or another API version; a stream that does not run gap-free from seq 1).
   */
  async fromRecord(tenant: string, jobId: string): Promise<RecordRead> {
    let record: JobRecord | undefined;
    let events: JobEvent[];
    try {
      [record, events] = await Promise.all([this.records.load(jobId), this.events.range(jobId, 0)]);
    } catch (error) {
      // Redis unreachable (or a malformed entry): Temporal can still answer.
      this.logger.debug({ jobId, reason: reasonOf(error) }, 'job record read failed; asking Temporal');
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
        { jobId, reason: reasonOf(error) },
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
        return await this.caughtUp(jobStateSchema.parse(state));
      }
      if (status === 'COMPLETED') return jobStateSchema.parse(await handle.result());
    } catch (error) {
      // Expected while no worker answers (or a workflow task is failing): not worth a stack trace.
      this.logger.debug(
        { reason: reasonOf(error), workflowId: description.workflowId, status },
        'job state query failed; rebuilding it from the start input and the event log',
      );
    }
    return this.rebuild(description);
  }

  /**
   * The workflow's state plus what the stream has past it. The workflow folds a step's events only when
   * the step returns: a per-image run publishes `submitted` and each image while it runs, so the query
   * alone reads QUEUED (or fewer images) until the whole run is over. Gap-free only; Redis down: as is.
   */
  private async caughtUp(state: JobState): Promise<JobState> {
    let events: JobEvent[];
    try {
      events = await this.events.range(state.jobId, state.seq);
    } catch (error) {
      this.logger.debug({ jobId: state.jobId, reason: reasonOf(error) }, 'event stream read failed');
      return state;
    }
    let caught = state;
    for (const event of events) {
      if (event.seq !== caught.seq + 1) break;
      caught = applyJobEvent(caught, event);
    }
    return caught;
  }

  /** Start input + every logged event: a faithful state without a worker (or after an abnormal end). */
  private async rebuild(description: WorkflowExecutionDescription): Promise<JobState> {
    const input: PhotoMakerJobInput = await startInputOf(this.client, description);
    let state = initialJobState(input);
    // allowGaps: the stream's oldest entries may have been trimmed or expired.
    for (const event of await this.events.range(input.jobId, 0)) {
      state = applyJobEvent(state, event, { allowGaps: true });
    }
    const closedAt = description.closeTime?.toISOString() ?? new Date().toISOString();
    return closedWorkflowState(state, description.status.name, closedAt);
  }
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
