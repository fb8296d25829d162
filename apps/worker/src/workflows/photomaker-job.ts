import type { JobState } from '@photomaker/schema';
import { addToSeed, DEADLINE_REASON } from '@photomaker/schema/job';
import { jobStateQuery, type PhotoMakerJobInput, SEARCH_ATTRIBUTES } from '@photomaker/temporal';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import {
  CancellationScope,
  CancelledFailure,
  isCancellation,
  log,
  setHandler,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { CollectImagesResult, GenerationFailure } from '../activities/types.ts';
import { JobLedger } from '../events/job-ledger.ts';
import { ADMISSION_PATCH, JobSlot } from './admission/job-slot.ts';
import { DeadlinePassed, withDeadline } from './deadline.ts';
import { deliver } from './deliveries.ts';
import { generationFailed, invalidJobInput, jobEnd, toJobError } from './failures.ts';
import { inputProblems } from './input-problems.ts';
import { GENERATION_BUDGET_MS, MAX_FOLLOW_UP_RUNS } from './job-policy.ts';
import { jobPatched, startJobPatches } from './patches.ts';
import { nextExtraRun, REGENERATE_BELOW } from './regenerate-below.ts';
import { type RunState, RunwareSteps } from './runware-steps.ts';
import { recordUsage, type UsageOutcome } from './usage.ts';
import { checkReferences, scoreImages, scoresImages } from './vision-steps.ts';
import { notify, wants } from './webhook-events.ts';

// Deterministic orchestration only: every I/O is an activity. The job state is a fold of the job's events
// (@photomaker/schema/job); how they reach Redis is the job-event protocol (../events/protocol.ts).

/** Single-image jobs run their Runware step as a local activity; histories from before replay without. */
const LOCAL_RUNWARE_STEP = 'local-runware-step';
/**
 * Multi-image jobs go to Runware one task per image (a cancel stops the images not yet sent); histories
 * from before send one task for all images.
 */
const PER_IMAGE_TASKS = 'per-image-tasks';
/**
 * A job cancelled while its activity waits out a retry backoff ends CANCELLED (the server reports the
 * activity's last failure then, not a cancellation); histories from before ended FAILED with it.
 */
const CANCEL_IN_BACKOFF = 'cancel-in-backoff';
/** How a job ended, for what follows its end: its usage line, its end event, what the workflow throws. */
interface Ending {
  outcome: UsageOutcome;
  event: 'COMPLETED' | 'FAILED';
  extra?: { reason?: string; timedOut?: boolean };
  rethrow?: unknown;
}

class PhotoMakerJob {
  private readonly input: PhotoMakerJobInput;
  readonly ledger: JobLedger;
  /** Every image gets a likeness score before the job ends (set once, at the start of complete()). */
  private scoring = false;
  /** The STARTED webhook event in flight (it never rejects); awaited before the job's end is told. */
  private started: Promise<void> = Promise.resolve();
  private readonly steps: RunwareSteps;

  constructor(input: PhotoMakerJobInput) {
    this.input = input;
    this.ledger = new JobLedger(input, (status) =>
      upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: status }]),
    );
    this.steps = new RunwareSteps(input, this.ledger, () => this.scoring);
  }

  get state(): JobState {
    return this.ledger.state;
  }

  async run(): Promise<JobState> {
    this.initSearchAttributes();
    const task = this.input.task;
    const slot = this.slot();
    let ending: Ending;
    try {
      // No local activity here: the first Runware step publishes `queued` (one activation less per job).
      this.ledger.hold('queued', { numberResults: task.numberResults });
      // Waiting for a slot is inside the deadline: a job past it while queued ends having cost nothing.
      await withDeadline(this.input.cancelAt, async () => {
        await slot?.acquire();
        await this.complete();
      });
      ending = { outcome: 'SUCCEEDED', event: 'COMPLETED' };
    } catch (error) {
      // Awaited here: the release below must come after the job's end is written (and see its rejection).
      ending = await this.end(error);
    } finally {
      await slot?.release();
    }
    // After the release: the usage line and the job's end event hold no slot (a slow receiver's retries
    // would keep the tenant's next job queued).
    if (!(ending.outcome === 'SUCCEEDED' && this.steps.usageRecorded)) await this.recordUsage(ending.outcome);
    await this.tell(ending.event, ending.extra);
    if (ending.rethrow !== undefined) throw ending.rethrow;
    return this.state;
  }

  /** A slot from the admission queue, when the job was started with limits that apply to it. */
  private slot(): JobSlot | undefined {
    const admission = this.input.admission;
    return admission && jobPatched(this.input, ADMISSION_PATCH)
      ? new JobSlot(this.input, admission)
      : undefined;
  }

  /** Images, deliveries, the `succeeded` event. */
  private async complete(): Promise<void> {
    const task = this.input.task;
    await checkReferences(this.input, this.ledger);
    this.scoring = scoresImages(this.input);
    // Told while the job runs on: a slow receiver does not hold the images back.
    this.started = notify(this.input, this.state, 'STARTED');
    await this.generate();
    if (this.scoring) {
      await scoreImages(this.input, this.ledger);
      if ((this.input.regenerateBelow ?? 0) > 0 && jobPatched(this.input, REGENERATE_BELOW))
        await this.regenerate();
    }
    // Without deliveries the last Runware step already wrote the `succeeded` event.
    if (this.state.stage === 'succeeded') return;
    const webhook = wants(this.input, 'IMAGE');
    if (webhook || task.uploadEndpoint) {
      await this.ledger.emit('delivering', { webhook, uploadEndpoint: !!task.uploadEndpoint });
      await deliver(this.input, this.state.images, { webhook });
    }
    await this.ledger.emit('succeeded', { imageCount: this.state.images.length, cost: this.state.cost });
  }

  /**
   * Writes how the job ended; what follows it (usage, the end event, rethrowing a cancellation as itself
   * or anything else as a JobError) is the caller's, after the job's slot is given back.
   */
  private async end(error: unknown): Promise<Ending> {
    // The end was already written (a cancellation that came too late): the job did succeed.
    if (this.state.stage === 'succeeded') return { outcome: 'SUCCEEDED', event: 'COMPLETED' };
    if (error instanceof DeadlinePassed) {
      // Ends like a cancel (status CANCELLED, the reason on the event), but the workflow completes: the
      // job was not cancelled by anyone, and a completed workflow keeps the job's own terminal state.
      await this.ledger.emit('cancelled', { reason: DEADLINE_REASON });
      return { outcome: 'TIMED_OUT', event: 'FAILED', extra: { reason: DEADLINE_REASON, timedOut: true } };
    }
    if (
      isCancellation(error) ||
      (CancellationScope.current().consideredCancelled && jobPatched(this.input, CANCEL_IN_BACKOFF))
    ) {
      const reason = 'cancelled by request';
      await CancellationScope.nonCancellable(() => this.ledger.emit('cancelled', { reason }));
      const rethrow = isCancellation(error) ? error : new CancelledFailure(reason);
      return { outcome: 'CANCELLED', event: 'FAILED', extra: { reason }, rethrow };
    }
    const jobError = toJobError(error);
    log.warn('job failed', { jobId: this.input.jobId, code: jobError.code });
    await CancellationScope.nonCancellable(() => this.ledger.emit('failed', { error: jobError }));
    return { outcome: 'FAILED', event: 'FAILED', rethrow: jobEnd(jobError, this.state) };
  }

  /**
   * From the job's final state: the images it holds, each once with its own task's cost (a per-image
   * run's images, collected before and after a cancel, are all in the state by now).
   */
  private recordUsage(outcome: UsageOutcome): Promise<void> {
    return recordUsage(this.input, this.state, outcome);
  }

  /** The job's end, to its webhookURL when it asked (after STARTED, which may still be in flight). */
  private async tell(event: 'COMPLETED' | 'FAILED', extra: { reason?: string; timedOut?: boolean } = {}) {
    await CancellationScope.nonCancellable(() => this.started);
    await notify(this.input, this.state, event, extra);
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

  /** Runware runs until the job has every image: the job's own task, then follow-ups for failed images. */
  private async generate(): Promise<void> {
    const task = this.input.task;
    const total = task.numberResults;
    const deadline = Date.now() + GENERATION_BUDGET_MS;
    const perImage = total > 1 && jobPatched(this.input, PER_IMAGE_TASKS);
    const current: RunState = {
      run: {
        taskUUID: this.input.runwareTaskUUID,
        numberResults: total,
        ...(task.seed ? { seed: task.seed } : {}),
        ...(perImage ? { perImage: true as const } : {}),
      },
      accepted: false,
      images: 0,
    };
    // The run reports its images only when it returns: operators' searches see the job running now.
    if (perImage) upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' }]);
    let followUps = 0;
    // A single-image job without deliveries is done when its Runware step is: that step runs inside the
    // first workflow task. (With deliveries, a cancellation must still be able to stop them: it reaches
    // the workflow only with its next task, so those jobs keep the task-queue activity.)
    // A scored job ends after its scores: its last Runware step must not write `succeeded`.
    let inWorkflowTask =
      total === 1 &&
      !task.webhookURL &&
      !task.uploadEndpoint &&
      !this.scoring &&
      jobPatched(this.input, LOCAL_RUNWARE_STEP);
    while (this.state.images.length < total) {
      const before = this.state.images.length;
      const result = await this.steps.collect(current, deadline - Date.now(), inWorkflowTask);
      inWorkflowTask = false;
      current.accepted = result.accepted;
      current.images += this.state.images.length - before;
      if (this.state.images.length >= total || !result.done) continue;
      // The run ended short: some of its generations failed (a per-image run made its own new tasks).
      const failure = this.shortRunFailure(current, result);
      if (!failure.retryable || followUps >= MAX_FOLLOW_UP_RUNS || perImage) throw generationFailed(failure);
      followUps += 1;
      this.followUp(current, failure.code);
    }
  }

  /**
   * Extra images (regenerateBelow) while fewer than numberResults pass minLikeness, each batch scored
   * before the next is sized. An extra image that fails for good ends the extras, not the job: it holds
   * its numberResults images already. A cancel or the deadline stops it as any Runware step.
   */
  private async regenerate(): Promise<void> {
    const deadline = Date.now() + GENERATION_BUDGET_MS;
    for (let run = nextExtraRun(this.input, this.state); run; run = nextExtraRun(this.input, this.state)) {
      const current: RunState = { run, accepted: false, images: 0 };
      const first = this.state.images.length;
      while (this.state.images.length < run.numberResults) {
        const result = await this.steps.collect(current, deadline - Date.now(), false);
        current.accepted = result.accepted;
        if (this.state.images.length >= run.numberResults || !result.done) continue;
        const failure = this.shortRunFailure(current, result);
        log.warn('an extra image failed; the job keeps what it has', {
          jobId: this.input.jobId,
          code: failure.code,
        });
        await scoreImages(this.input, this.ledger, first);
        return;
      }
      await scoreImages(this.input, this.ledger, first);
    }
  }

  private shortRunFailure(current: RunState, result: CollectImagesResult): GenerationFailure {
    return (
      result.failures[0] ?? {
        code: 'incompleteResults',
        message: `Runware ended task ${current.run.taskUUID} with ${current.images} of ${current.run.numberResults} images and no error`,
        retryable: true,
      }
    );
  }

  /** A new Runware task for the missing images, seeds continuing where the job's images end. */
  private followUp(current: RunState, code: string): void {
    const task = this.input.task;
    const have = this.state.images.length;
    log.warn('generations failed; a new Runware task makes the missing images', {
      jobId: this.input.jobId,
      code,
      missing: task.numberResults - have,
    });
    current.run = {
      taskUUID: uuid4(),
      numberResults: task.numberResults - have,
      ...(task.seed ? { seed: addToSeed(task.seed, have) } : {}),
    };
    current.accepted = false;
    current.images = 0;
  }
}

/** One PhotoMaker job: references -> Runware -> blob store -> deliveries. Result: the final JobState. */
export async function photoMakerJob(raw: PhotoMakerJobInput): Promise<JobState> {
  const problems = inputProblems(raw);
  if (problems.length > 0) throw invalidJobInput(problems);
  startJobPatches(raw);
  const job = new PhotoMakerJob(raw);
  setHandler(jobStateQuery, () => job.state);
  return job.run();
}
