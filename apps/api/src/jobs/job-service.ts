import { createHash, randomUUID } from 'node:crypto';
import type { CancelRequests, OutputOwners } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import {
  type BlobRef,
  initialJobState,
  type JobState,
  type JobTask,
  type ReferenceCheckMode,
  type WebhookEvent,
} from '@photomaker/schema';
import {
  type JobAdmission,
  jobTaskPriority,
  type PhotoMakerJobInput,
  REFERENCE_IMAGE_CHECK_WORKFLOW,
  type ReferenceImageCheck,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { newRunwareTaskUUID } from './ids.ts';
import { InvalidInputError } from './input-error.ts';
import type { JobReads } from './job-reads.ts';
import type { JobRecords } from './job-records.ts';
import type { JobRetention } from './job-retention.ts';

/** Who asks for which job, and how to recognise a replay of the same request. */
export interface JobRequest {
  tenant: string;
  jobId: string;
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
  /** Identifies the request body: a reused idempotency key with another body is refused. */
  fingerprint?: string | undefined;
}

export interface StartJobRequest extends JobRequest {
  /** The normalized task, reference images already stored (claim checks). */
  task: JobTask;
  /** ISO-8601: the job's deadline (PhotoMakerJobInput.cancelAt). */
  cancelAt?: string;
  /** The job waits for a slot in the admission queue (PhotoMakerJobInput.admission). */
  admission?: JobAdmission;
  /** STRICT | WARN: check the reference photos first (PhotoMakerJobInput.referenceCheck); absent: OFF. */
  referenceCheck?: ReferenceCheckMode;
  /** Images scored below it are marked (PhotoMakerJobInput.minLikeness). */
  minLikeness?: number;
  /** Extra images while fewer than numberResults pass minLikeness (PhotoMakerJobInput.regenerateBelow). */
  regenerateBelow?: number;
  /** The job's own, shorter life for its outputs and references (ms; `expiresIn`). */
  expiresInMs?: number;
  /** The trace the job was submitted in (PhotoMakerJobInput.traceId). */
  traceId?: string;
  /** The submitting key's id (usage per key). */
  apiKeyId?: string | undefined;
  /** The job this one retries (retryJob). */
  retryOf?: string | undefined;
  /** Which events webhookURL is sent (absent: the defaults). */
  webhookEvents?: WebhookEvent[] | undefined;
}

export interface StartJobResult {
  state: JobState;
  /** false when the job already existed (idempotent replay). */
  created: boolean;
}

export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * Jobs are Temporal workflows: this starts them (claim-check input, idempotent ids, search attributes),
 * answers replays of the same request with the job that exists, and cancels them. Reads are JobReads'.
 */
export class JobService {
  private readonly client: Client;
  private readonly reads: JobReads;
  private readonly records: JobRecords;
  private readonly logger: Logger;
  private readonly owners: Pick<OutputOwners, 'recordJob'> | undefined;
  private readonly cancels: Pick<CancelRequests, 'request'> | undefined;
  private readonly taskQueue: string;
  private readonly retention: Pick<JobRetention, 'jobStarted'> | undefined;

  constructor(options: {
    client: Client;
    reads: JobReads;
    records: JobRecords;
    logger: Logger;
    /** Records whose job this is, so its outputs are usable as references by this tenant only. */
    owners?: Pick<OutputOwners, 'recordJob'>;
    /** Tells the worker of a cancel before Temporal's heartbeat does (it stops sending image tasks). */
    cancels?: Pick<CancelRequests, 'request'>;
    /** The worker's task queue (TEMPORAL_TASK_QUEUE); TASK_QUEUE when unset. */
    taskQueue?: string;
    /** Records until when the job's outputs, references and record are kept. */
    retention?: Pick<JobRetention, 'jobStarted'>;
  }) {
    this.client = options.client;
    this.taskQueue = options.taskQueue ?? TASK_QUEUE;
    this.reads = options.reads;
    this.records = options.records;
    this.logger = options.logger;
    this.owners = options.owners;
    this.cancels = options.cancels;
    this.retention = options.retention;
  }

  async start(request: StartJobRequest): Promise<StartJobResult> {
    const { tenant, jobId, task } = request;
    const input = jobInputOf(request);
    try {
      await this.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: this.taskQueue,
        workflowId: workflowIdForJob(jobId),
        args: [input],
        // One job id, one workflow, ever: a running or closed duplicate is reported, never started again.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        // The tenant as fairness key: another tenant's flood of tasks cannot starve this job's (see there).
        priority: jobTaskPriority(tenant),
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
    const record = () =>
      this.records.save(input, request.fingerprint).catch((error: unknown) => {
        this.logger.warn(
          { jobId, reason: error instanceof Error ? error.message : String(error) },
          'job record not stored; reads of this job will ask Temporal',
        );
      });
    const owner = () =>
      this.owners?.recordJob(tenant, jobId).catch((error: unknown) => {
        this.logger.warn(
          { jobId, reason: error instanceof Error ? error.message : String(error) },
          "job owner not stored; this job's outputs will not be usable as references",
        );
      });
    const retention = () => this.retention?.jobStarted(input, request.expiresInMs);
    // Independent keys, each failure handled on its own: sent together (one write with the API's
    // auto-pipelining) instead of one round trip after the other.
    await Promise.all([record(), owner(), retention()]);
    return { state: initialJobState(input), created: true };
  }

  /** The existing job for an idempotent request; refuses a key reused with a different request. */
  async existing(request: JobRequest): Promise<JobState | undefined> {
    const { tenant, jobId } = request;
    const found = await this.reads.fromRecord(tenant, jobId);
    if (found.kind === 'other-tenant') return undefined;
    if (found.kind === 'found') {
      checkFingerprint(request, found.record.fingerprint);
      return this.reads.settled(tenant, jobId, found.state);
    }
    const description = await this.reads.describe(tenant, jobId);
    if (!description) return undefined;
    checkFingerprint(request, description.memo?.fingerprint);
    return this.reads.stateOf(description);
  }

  /**
   * One stored reference photo checked by the workers' vision queue (face models live there, not in
   * the API): a seconds-long workflow that gets the blob reference and answers the verdict.
   */
  async checkReferenceImage(blob: BlobRef): Promise<ReferenceImageCheck> {
    return this.client.workflow.execute(REFERENCE_IMAGE_CHECK_WORKFLOW, {
      taskQueue: this.taskQueue,
      workflowId: `photomaker-reference-check-${randomUUID()}`,
      args: [{ blob }],
      // A client waits for this answer: no vision worker within seconds means no verdict, not a hang.
      workflowExecutionTimeout: '30 seconds',
    }) as Promise<ReferenceImageCheck>;
  }

  async cancel(tenant: string, jobId: string): Promise<JobState | undefined> {
    const description = await this.reads.describe(tenant, jobId);
    if (!description) return undefined;
    if (description.status.name === 'RUNNING') {
      // Best effort: without it the worker still learns of the cancel from Temporal, only later.
      await this.cancels?.request(jobId).catch((error: unknown) => {
        this.logger.warn({ jobId, reason: String(error) }, 'could not record the cancel request in Redis');
      });
      await this.client.workflow.getHandle(description.workflowId, description.runId).cancel();
    }
    return this.reads.stateOf(description);
  }
}

function checkFingerprint(request: JobRequest, fingerprint: unknown): void {
  if (request.fingerprint && typeof fingerprint === 'string' && fingerprint !== request.fingerprint) {
    throw InvalidInputError.of(
      'conflictIdempotencyKey',
      'idempotencyKey',
      'This idempotencyKey was already used with a different request; use a new key for a new job.',
    );
  }
}

/** The workflow's start input: what the job needs, by reference (PhotoMakerJobInput). */
function jobInputOf(request: StartJobRequest): PhotoMakerJobInput {
  const { tenant, jobId, task } = request;
  return {
    jobId,
    tenant,
    task,
    runwareTaskUUID: newRunwareTaskUUID(),
    createdAt: new Date().toISOString(),
    ...(request.cancelAt !== undefined ? { cancelAt: request.cancelAt } : {}),
    ...(request.admission ? { admission: request.admission } : {}),
    ...(request.referenceCheck ? { referenceCheck: request.referenceCheck } : {}),
    ...(request.minLikeness !== undefined ? { minLikeness: request.minLikeness } : {}),
    ...(request.regenerateBelow ? { regenerateBelow: request.regenerateBelow } : {}),
    ...(request.apiKeyId ? { apiKeyId: request.apiKeyId } : {}),
    ...(request.retryOf ? { retryOf: request.retryOf } : {}),
    ...(request.webhookEvents ? { webhookEvents: request.webhookEvents } : {}),
    ...(request.requestId ? { requestId: request.requestId } : {}),
    ...(request.traceId ? { traceId: request.traceId } : {}),
    ...(request.idempotencyKey !== undefined ? { idempotencyKey: request.idempotencyKey } : {}),
  };
}
