import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { ActivityCancellationType, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { CollectImagesResult, RunwareRun } from '../activities/types.ts';
import type { JobLedger } from '../events/job-ledger.ts';
import type { EventRange } from '../events/protocol.ts';
import { budgetSpent, isTransient, retryAfterOf } from './failures.ts';

// Workflow code: one Runware step of a job (events/protocol.ts) and what it is given, for the job's
// runs (photomaker-job.ts): the local single-image step or the task-queue activity, and the repairs.

/** Times a step is repeated after its events hit a gap in the stream, before its failure stands. */
const MAX_GAP_REPAIRS = 2;

/**
 * The Runware step of a single-image job inside the first workflow task: one sync request, no activity
 * task round trip (a job is then one workflow task, ~9 history events instead of 12). One attempt:
 * anything transient is retried by the task-queue activity, which heartbeats. A cancellation reaches it
 * with the next workflow task (after the request, or at the task's heartbeat, ~8 s), not within ~2 s.
 */
const singleImageStep = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 1 },
}).collectImagesLocally;

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

/** One Runware run in progress: which task, whether Runware holds it, and what it made so far. */
export interface RunState {
  run: RunwareRun;
  accepted: boolean;
  images: number;
}

/** The job's Runware steps, each folded into its ledger. */
export class RunwareSteps {
  private readonly input: PhotoMakerJobInput;
  private readonly ledger: JobLedger;
  private readonly scoring: () => boolean;
  /** The local Runware step wrote the job's usage line with its end (no usage step of the workflow's). */
  usageRecorded = false;

  constructor(input: PhotoMakerJobInput, ledger: JobLedger, scoring: () => boolean) {
    this.input = input;
    this.ledger = ledger;
    this.scoring = scoring;
  }

  /**
   * One Runware step (events/protocol.ts): the local single-image step first when allowed, the
   * task-queue activity otherwise and after it (taking over as the step's next attempt). A step whose
   * events hit a gap in the stream is repeated after the repair.
   */
  async collect(
    current: RunState,
    remainingMs: number,
    inWorkflowTask: boolean,
  ): Promise<CollectImagesResult> {
    if (remainingMs <= 0) throw budgetSpent();
    let gapRepairs = 0;
    for (let viaLocal = inWorkflowTask; ; viaLocal = false) {
      const range = this.ledger.reserve();
      try {
        const result = await this.step(current, range, remainingMs, viaLocal);
        if (!result.handedOver) {
          this.ledger.apply(result.events);
          return result;
        }
        this.ledger.release(range);
      } catch (error) {
        if (viaLocal && isTransient(error)) {
          // The task-queue activity takes over as the step's next attempt (same range, adopting what the
          // local attempt published), no sooner than Runware's Retry-After.
          this.ledger.release(range);
          await this.waitRetryAfter(error);
          continue;
        }
        await this.ledger.adopt();
        if (gapRepairs >= MAX_GAP_REPAIRS || !(await this.ledger.repair(error))) throw error;
        gapRepairs += 1;
      }
    }
  }

  private step(current: RunState, range: EventRange, remainingMs: number, viaLocal: boolean) {
    if (viaLocal) return this.singleImageStep(range);
    return collectActivity(remainingMs)(this.collectInput(current, range));
  }

  private async singleImageStep(range: EventRange): Promise<CollectImagesResult> {
    const result = await singleImageStep(this.singleImageInput(range));
    if (result.usageRecorded) this.usageRecorded = true;
    return result;
  }

  private async waitRetryAfter(error: unknown): Promise<void> {
    const wait = retryAfterOf(error);
    if (wait <= 0) return;
    try {
      await sleep(wait);
    } catch (cancelled) {
      await this.ledger.adopt();
      throw cancelled;
    }
  }

  private singleImageInput(range: EventRange) {
    const { jobId, runwareTaskUUID, task, tenant, apiKeyId } = this.input;
    // The step writes the job's usage line with its end: the workflow then ends without a usage step.
    return { jobId, taskUUID: runwareTaskUUID, task, usage: { tenant, keyId: apiKeyId ?? '' }, ...range };
  }

  private collectInput(current: RunState, range: EventRange) {
    const task = this.input.task;
    return {
      jobId: this.input.jobId,
      run: current.run,
      // A per-image run sends image tasks for as long as it runs: every call needs the task.
      ...(current.accepted && !current.run.perImage ? {} : { task }),
      ...(current.run.perImage && this.input.cancelAt ? { cancelAt: this.input.cancelAt } : {}),
      ...(current.run.perImage && this.input.admission
        ? { maxTasksInFlight: this.input.admission.weight }
        : {}),
      accepted: current.accepted,
      knownImageUUIDs: this.ledger.state.images.map((image) => image.imageUUID),
      nextIndex: this.ledger.state.images.length,
      // Extra images (regenerateBelow) count on past numberResults.
      total: Math.max(task.numberResults, current.run.numberResults),
      image: { width: task.width, height: task.height, outputFormat: task.outputFormat },
      ...(task.webhookURL || task.uploadEndpoint || this.scoring()
        ? {}
        : { endsJob: { costSoFar: this.ledger.state.cost, includeCost: task.includeCost } }),
      ...range,
    };
  }
}
