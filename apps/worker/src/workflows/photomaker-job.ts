import type { JobError, JobEvent, JobEventData, JobStage, JobState } from '@photomaker/schema';
import { addToSeed, applyJobEvent, initialJobState } from '@photomaker/schema/job';
import { jobStateQuery, type PhotoMakerJobInput, SEARCH_ATTRIBUTES } from '@photomaker/temporal';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  TimeoutFailure,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type {
  CollectImagesInput,
  CollectImagesResult,
  DeliveryInput,
  GenerationFailure,
  RunwareFailureDetails,
  RunwareRun,
} from '../activities/types.ts';
import { inputProblems } from './input-problems.ts';
import { deliveryTaskQueue } from './task-queues.ts';

// Deterministic orchestration only: every I/O is an activity. The job state is a fold of the job's events
// (@photomaker/schema/job); the workflow numbers the events, activities append them to the job's Redis stream.

/** Runware generations of one job, all runs and retries together. */
const GENERATION_BUDGET_MS = 30 * 60_000;
/** New Runware tasks for images whose generation failed with a retryable code. */
const MAX_FOLLOW_UP_RUNS = 3;
/** The workflow's own failures (already a JobError in details[0]). */
const JOB_FAILURE = 'PhotoMakerJobFailure';
/** An activity found the event stream shorter than the workflow's seq (Redis lost data). */
const EVENT_GAP = 'EventGap';
/** Single-image jobs run their Runware step as a local activity; histories from before replay without. */
const LOCAL_RUNWARE_STEP = 'local-runware-step';

const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  // Redis down: keep trying, with backoff, until it is back (the job waits, nothing is lost).
  retry: {
    initialInterval: '100 milliseconds',
    maximumInterval: '10 seconds',
    nonRetryableErrorTypes: [EVENT_GAP],
  },
});

/**
 * The Runware step of a single-image job inside the first workflow task: one sync request, no activity
 * task round trip (a job is then one workflow task, ~9 history events instead of 12). One attempt:
 * anything transient is retried by the task-queue activity, which heartbeats. A cancellation reaches it
 * with the next workflow task (after the request, or at the task's heartbeat, ~8 s), not within ~2 s.
 */
const localRunwareStep = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
}).collectImagesLocally;

function deliveryActivities() {
  return proxyActivities<Activities>({
    taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    // Receivers that are down get ~20 min of retries (12 attempts, 1 s doubling to 5 min) before the job fails.
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      maximumAttempts: 12,
    },
    // A cancelled job moves on at once: a request already in flight may finish, nothing new is sent.
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });
}

function collectActivity(scheduleToCloseMs: number) {
  return proxyActivities<Activities>({
    scheduleToCloseTimeout: scheduleToCloseMs,
    startToCloseTimeout: '10 minutes',
    // Short, so a cancellation reaches the activity quickly (heartbeats carry it).
    heartbeatTimeout: '8 seconds',
    // Transient Runware/transport errors; Retry-After arrives as nextRetryDelay and wins.
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  }).collectImages;
}

function checkInput(input: PhotoMakerJobInput): PhotoMakerJobInput {
  const problems = inputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.create({
      type: 'invalidJobInput',
      message: `invalid PhotoMakerJobInput: ${problems.join('; ')}`,
      nonRetryable: true,
    });
  }
  return input;
}

function jobFailure(error: JobError): ApplicationFailure {
  return ApplicationFailure.create({
    type: JOB_FAILURE,
    message: error.message,
    nonRetryable: true,
    details: [error],
  });
}

/**
 * A failure the task-queue activity may get past (not a cancellation, not a permanent or gap failure).
 * Local activities fail with their own failure (no ActivityFailure around it).
 */
function isTransient(error: unknown): boolean {
  if (isCancellation(error)) return false;
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}

/** Runware's Retry-After of a failed step, from the failure's details. */
function retryAfterOf(error: unknown): number {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure)) return 0;
  const ms = (cause.details?.[0] as Partial<RunwareFailureDetails> | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms > 0 ? ms : 0;
}

function eventGapOf(error: unknown): number | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (!(cause instanceof ApplicationFailure) || cause.type !== EVENT_GAP) return undefined;
  const lastSeq = (cause.details?.[0] as { lastSeq?: unknown } | undefined)?.lastSeq;
  return typeof lastSeq === 'number' ? lastSeq : undefined;
}

/** What the job ends with: Runware's code, parameter and message when Runware said no. */
function toJobError(error: unknown): JobError {
  if (error instanceof ApplicationFailure && error.type === JOB_FAILURE && error.details?.[0]) {
    return error.details[0] as JobError;
  }
  // A task-queue activity's failure arrives wrapped in an ActivityFailure, a local activity's as is.
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) {
    const details = cause.details?.[0] as Partial<RunwareFailureDetails> | undefined;
    return {
      code: details?.code ?? cause.type ?? 'activityFailed',
      message: details?.message ?? cause.message,
      ...(details?.parameter ? { parameter: details.parameter } : {}),
      retryable: !cause.nonRetryable,
    };
  }
  if (error instanceof ActivityFailure && cause instanceof TimeoutFailure) {
    return {
      code: 'generationTimeout',
      message: `Runware did not deliver every image within ${GENERATION_BUDGET_MS / 60_000} minutes (${error.activityType} timed out)`,
      retryable: true,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internalError', message: `the job failed unexpectedly: ${message}`, retryable: false };
}

function deliveryFailure(parameter: 'webhookURL' | 'uploadEndpoint', error: unknown): unknown {
  if (isCancellation(error)) return error;
  const cause = error instanceof ActivityFailure ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const what = parameter === 'webhookURL' ? 'webhook POST to webhookURL' : 'PUT to uploadEndpoint';
  return jobFailure({
    code: parameter === 'webhookURL' ? 'webhookDeliveryFailed' : 'uploadDeliveryFailed',
    message: `The ${what} failed after retries: ${reason}. The images are stored and listed in the job.`,
    parameter,
    retryable: cause instanceof ApplicationFailure ? !cause.nonRetryable : true,
  });
}

class PhotoMakerJob {
  state: JobState;
  private readonly input: PhotoMakerJobInput;
  /** Every event of the job so far, for re-publishing after a Redis data loss. */
  private readonly events: JobEvent[] = [];
  /** Applied, not yet published: the first Runware step appends them before its own. */
  private prelude: JobEvent[] = [];

  constructor(input: PhotoMakerJobInput) {
    this.input = input;
    this.state = initialJobState(input);
  }

  async run(): Promise<JobState> {
    this.initSearchAttributes();
    const task = this.input.task;
    try {
      // No local activity here: the first Runware step publishes `queued` (one activation less per job).
      this.prelude = [this.event('queued', { numberResults: task.numberResults })];
      this.apply(this.prelude);
      await this.generate();
      // Without deliveries the last Runware step already wrote the `succeeded` event.
      if (this.state.stage === 'succeeded') return this.state;
      if (task.webhookURL || task.uploadEndpoint) {
        await this.emit('delivering', { webhook: !!task.webhookURL, uploadEndpoint: !!task.uploadEndpoint });
        await this.deliver();
      }
      await this.emit('succeeded', { imageCount: this.state.images.length, cost: this.state.cost });
      return this.state;
    } catch (error) {
      // The end was already written (a cancellation that came too late): the job did succeed.
      if (this.state.stage === 'succeeded') return this.state;
      if (isCancellation(error)) {
        await CancellationScope.nonCancellable(() =>
          this.emit('cancelled', { reason: 'cancelled by request' }),
        );
        throw error;
      }
      const jobError = toJobError(error);
      log.warn('job failed', { jobId: this.input.jobId, code: jobError.code });
      await CancellationScope.nonCancellable(() => this.emit('failed', { error: jobError }));
      throw ApplicationFailure.create({
        type: jobError.code,
        message: jobError.message,
        nonRetryable: true,
        details: [this.state],
      });
    }
  }

  /** The starter sets these; a job started without them still shows up in searches. */
  private initSearchAttributes(): void {
    const current = workflowInfo().typedSearchAttributes;
    const wanted: SearchAttributeUpdatePair[] = [
      { key: SEARCH_ATTRIBUTES.tenant, value: this.input.tenant },
      { key: SEARCH_ATTRIBUTES.status, value: this.state.status },
      { key: SEARCH_ATTRIBUTES.style, value: this.input.task.style },
      { key: SEARCH_ATTRIBUTES.model, value: this.input.task.model },
    ];
    const missing = wanted.filter((pair) => current.get(pair.key) !== pair.value);
    if (missing.length > 0) upsertSearchAttributes(missing);
  }

  private apply(events: readonly JobEvent[]): void {
    const before = this.state.status;
    for (const event of events) {
      if (event.seq <= this.state.seq) continue;
      if (event.seq !== this.state.seq + 1) break;
      this.state = applyJobEvent(this.state, event);
      this.events.push(event);
    }
    if (this.state.status !== before) {
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: this.state.status }]);
    }
  }

  private event<S extends JobStage>(stage: S, data: JobEventData<S>): JobEvent {
    return {
      jobId: this.input.jobId,
      seq: this.state.seq + 1,
      at: new Date().toISOString(),
      stage,
      data,
    } as JobEvent;
  }

  private async emit<S extends JobStage>(stage: S, data: JobEventData<S>): Promise<void> {
    const event = this.event(stage, data);
    this.apply([event]);
    await this.publish([event]);
  }

  /** Appends through a local activity (no server round trip); re-publishes what Redis lost. */
  private async publish(events: JobEvent[]): Promise<void> {
    try {
      await local.publishEvents(events);
    } catch (error) {
      const lastSeq = eventGapOf(error);
      if (lastSeq === undefined) throw error;
      await local.publishEvents(this.events.filter((event) => event.seq > lastSeq));
    }
  }

  private async generate(): Promise<void> {
    const task = this.input.task;
    const total = task.numberResults;
    const deadline = Date.now() + GENERATION_BUDGET_MS;
    let run: RunwareRun = {
      taskUUID: this.input.runwareTaskUUID,
      numberResults: total,
      ...(task.seed ? { seed: task.seed } : {}),
    };
    let accepted = false;
    let runImages = 0;
    let followUps = 0;
    // A single-image job without deliveries is done when its Runware step is: that step runs inside the
    // first workflow task. (With deliveries, a cancellation must still be able to stop them: it reaches
    // the workflow only with its next task, so those jobs keep the task-queue activity.)
    let inWorkflowTask =
      total === 1 && !task.webhookURL && !task.uploadEndpoint && patched(LOCAL_RUNWARE_STEP);
    while (this.state.images.length < total) {
      const before = this.state.images.length;
      const result = await this.collect(run, accepted, deadline - Date.now(), inWorkflowTask);
      inWorkflowTask = false;
      accepted = result.accepted;
      runImages += this.state.images.length - before;
      if (this.state.images.length >= total || !result.done) continue;
      // The run ended short: some of its generations failed.
      const failure: GenerationFailure = result.failures[0] ?? {
        code: 'incompleteResults',
        message: `Runware ended task ${run.taskUUID} with ${runImages} of ${run.numberResults} images and no error`,
        retryable: true,
      };
      if (!failure.retryable || followUps >= MAX_FOLLOW_UP_RUNS) {
        throw jobFailure({
          code: failure.code,
          message: failure.message,
          ...(failure.parameter ? { parameter: failure.parameter } : {}),
          retryable: failure.retryable,
        });
      }
      followUps += 1;
      const have = this.state.images.length;
      log.warn('generations failed; a new Runware task makes the missing images', {
        jobId: this.input.jobId,
        code: failure.code,
        missing: total - have,
      });
      run = {
        taskUUID: uuid4(),
        numberResults: total - have,
        ...(task.seed ? { seed: addToSeed(task.seed, have) } : {}),
      };
      accepted = false;
      runImages = 0;
    }
  }

  private async collect(
    run: RunwareRun,
    accepted: boolean,
    remainingMs: number,
    inWorkflowTask: boolean,
  ): Promise<CollectImagesResult> {
    if (remainingMs <= 0) {
      throw jobFailure({
        code: 'generationTimeout',
        message: `Runware did not deliver every image within ${GENERATION_BUDGET_MS / 60_000} minutes`,
        retryable: true,
      });
    }
    const task = this.input.task;
    let viaLocal = inWorkflowTask;
    let resume = false;
    for (let gapRepairs = 0; ; ) {
      const prelude = this.prelude;
      this.prelude = [];
      const input: CollectImagesInput = {
        jobId: this.input.jobId,
        run,
        ...(accepted ? {} : { task }),
        accepted,
        knownImageUUIDs: this.state.images.map((image) => image.imageUUID),
        nextSeq: prelude[0]?.seq ?? this.state.seq + 1,
        ...(prelude.length > 0 ? { prelude } : {}),
        nextIndex: this.state.images.length,
        total: task.numberResults,
        image: { width: task.width, height: task.height, outputFormat: task.outputFormat },
        ...(task.webhookURL || task.uploadEndpoint
          ? {}
          : { completesJob: { costSoFar: this.state.cost, includeCost: task.includeCost } }),
        ...(resume ? { resume: true as const } : {}),
      };
      try {
        const result = viaLocal ? await localRunwareStep(input) : await collectActivity(remainingMs)(input);
        if (result.handedOver) {
          this.prelude = prelude;
          viaLocal = false;
          continue;
        }
        this.apply(result.events);
        return result;
      } catch (error) {
        if (viaLocal && isTransient(error)) {
          // The task-queue activity takes over as the step's next attempt (same input, adopting what the
          // local attempt published), no sooner than Runware's Retry-After.
          this.prelude = prelude;
          viaLocal = false;
          resume = true;
          const wait = retryAfterOf(error);
          if (wait > 0) await sleep(wait).catch((cancelled: unknown) => this.adoptPublished(cancelled));
          continue;
        }
        await this.adoptPublished();
        const lastSeq = eventGapOf(error);
        if (lastSeq === undefined || gapRepairs >= 2) throw error;
        gapRepairs += 1;
        viaLocal = false;
        await this.publish(this.events.filter((event) => event.seq > lastSeq));
      }
    }
  }

  /**
   * What a failed Runware step already published stays published: adopt it, so state and stream agree
   * (and the next event the workflow writes follows it). Rethrows `error` when given.
   */
  private async adoptPublished(error?: unknown): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      this.apply(await local.readEvents({ jobId: this.input.jobId, afterSeq: this.state.seq }));
    });
    if (error !== undefined) throw error;
  }

  /** One activity per image and target, in parallel; each retried on its own. */
  private async deliver(): Promise<void> {
    const task = this.input.task;
    const delivery = deliveryActivities();
    const calls: Promise<unknown>[] = [];
    for (const image of this.state.images) {
      const base = { jobId: this.input.jobId, runwareTaskUUID: this.input.runwareTaskUUID, image };
      if (task.webhookURL) {
        const input: DeliveryInput = { ...base, url: task.webhookURL, outputType: task.outputType };
        calls.push(
          delivery.deliverWebhook(input).catch((error: unknown) => {
            throw deliveryFailure('webhookURL', error);
          }),
        );
      }
      if (task.uploadEndpoint) {
        const input: DeliveryInput = { ...base, url: task.uploadEndpoint, outputType: task.outputType };
        calls.push(
          delivery.deliverUpload(input).catch((error: unknown) => {
            throw deliveryFailure('uploadEndpoint', error);
          }),
        );
      }
    }
    const settled = await Promise.allSettled(calls);
    const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    const cancelled = failures.find((reason) => isCancellation(reason));
    if (cancelled !== undefined) throw cancelled;
    if (failures.length > 0) throw failures[0];
  }
}

/** One PhotoMaker job: references -> Runware -> blob store -> deliveries. Result: the final JobState. */
export async function photoMakerJob(raw: PhotoMakerJobInput): Promise<JobState> {
  const input = checkInput(raw);
  const job = new PhotoMakerJob(input);
  setHandler(jobStateQuery, () => job.state);
  return job.run();
}
