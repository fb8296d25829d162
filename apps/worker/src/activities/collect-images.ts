import { type RunwareClient, RunwareClientError } from '@photomaker/runware';
import {
  classifyRunwareError,
  type JobTask,
  type PhotoMakerResult,
  type RunwareError,
} from '@photomaker/schema';
import { Context, sleep } from '@temporalio/activity';
import { timeRunware } from '../metrics.ts';
import type { ActivityDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';
import { persistOutput } from './output-image.ts';
import { ensureReferences, forgetReferences } from './references.ts';
import { StepEvents } from './step-events.ts';
import type { CollectImagesInput, CollectImagesResult, GenerationFailure, RunwareRun } from './types.ts';

/** What an attempt heartbeats: a retry resumes from it (and from the events already in the stream). */
interface Progress {
  accepted: boolean;
  imageUUIDs: string[];
}

type PhotoMakerRequest = Parameters<RunwareClient['submit']>[0];

/**
 * The Runware task for one run: our taskUUID, references by imageUUID. Sync runs take the image inline
 * (no second request); async runs take URLs (getResponse repeats every finished image on every poll).
 */
function wireTask(
  task: JobTask,
  run: RunwareRun,
  inputImages: string[],
  outputType: 'URL' | 'base64Data',
): PhotoMakerRequest {
  const {
    inputImages: _references,
    webhookURL: _webhook,
    uploadEndpoint: _upload,
    ttl: _ttl,
    deliveryMethod: _delivery,
    outputType: _outputType,
    seed: _seed,
    numberResults: _count,
    ...params
  } = task;
  // webhookURL/uploadEndpoint are ours to deliver (signed, from the blob store); the user's outputType
  // shapes those deliveries, not what we ask Runware for.
  return {
    ...params,
    taskUUID: run.taskUUID,
    inputImages,
    numberResults: run.numberResults,
    outputType,
    ...(run.seed !== undefined ? { seed: run.seed } : {}),
  } as PhotoMakerRequest;
}

/** Failed generations: a provider/timeout/server code is worth a new task; safety/validation are not. */
function generationFailures(errors: readonly RunwareError[]): GenerationFailure[] {
  return errors.map((error) => {
    const parameter = Array.isArray(error.parameter) ? error.parameter.join(', ') : error.parameter;
    return {
      code: error.code,
      message: error.message,
      ...(parameter ? { parameter } : {}),
      retryable: classifyRunwareError({ code: error.code }).retryable,
    };
  });
}

function isStaleReference(error: unknown): boolean {
  return (
    error instanceof RunwareClientError &&
    !error.retryable &&
    error.category === 'validation' &&
    (error.parameter ?? '').includes('inputImages')
  );
}

/** What the local step answers when the task-queue activity must take the step. */
export const HANDED_OVER: CollectImagesResult = {
  events: [],
  accepted: false,
  done: false,
  failures: [],
  handedOver: true,
};

class CollectCall {
  private readonly deps: ActivityDeps;
  private readonly input: CollectImagesInput;
  private readonly ctx: Context;
  private readonly signal: AbortSignal;
  private readonly step: StepEvents;
  private readonly known: Set<string>;
  /** Running as the local step: no heartbeats, so no polling. */
  private readonly local: boolean;
  private nextIndex: number;
  private accepted: boolean;

  constructor(
    deps: ActivityDeps,
    input: CollectImagesInput,
    ctx: Context,
    step: StepEvents,
    options: { prior?: Progress | undefined; local: boolean },
  ) {
    const { prior } = options;
    this.deps = deps;
    this.input = input;
    this.ctx = ctx;
    this.signal = ctx.cancellationSignal;
    this.step = step;
    this.local = options.local;
    this.known = new Set(input.knownImageUUIDs);
    let adoptedImages = 0;
    for (const event of step.events) {
      if (event.stage !== 'image_ready') continue;
      this.known.add(event.data.image.imageUUID);
      adoptedImages += 1;
    }
    this.nextIndex = input.nextIndex + adoptedImages;
    this.accepted = input.accepted || prior?.accepted === true;
  }

  beat = (): void => {
    // A local activity has no heartbeat (Core would log each one as an unknown activity's).
    if (this.local) return;
    const progress: Progress = { accepted: this.accepted, imageUUIDs: [...this.known] };
    this.ctx.heartbeat(progress);
  };

  private async result(done: boolean, failures: GenerationFailure[] = []): Promise<CollectImagesResult> {
    const finish = this.input.completesJob;
    const ended = this.step.has((event) => event.stage === 'succeeded');
    if (finish && !ended && this.known.size >= this.input.total) {
      let cost: number | null = null;
      if (finish.includeCost) {
        let total = finish.costSoFar ?? 0;
        for (const event of this.step.events)
          if (event.stage === 'image_ready') total += event.data.image.cost ?? 0;
        cost = Math.round(total * 1e9) / 1e9;
      }
      this.step.append('succeeded', { imageCount: this.known.size, cost });
    }
    await this.step.flush();
    return { events: this.step.events, accepted: this.accepted, done, failures };
  }

  async run(): Promise<CollectImagesResult> {
    if (!this.accepted) {
      const task = this.input.task;
      if (!task) throw new Error('collectImages: a run Runware does not hold yet needs its task');
      const ended = await this.submit(task);
      if (ended) return ended;
    }
    // Runware holds the run but has not answered with its image (a re-sent taskUUID): polling needs
    // heartbeats, so the local step hands the run, accepted, to the task-queue activity.
    if (this.local) return await this.result(false);
    // A retry resumes at once; a first call gives Runware a moment before the first poll.
    return this.poll(this.ctx.info.attempt > 1 ? 0 : this.deps.settings.poll.initialMs);
  }

  /** Sends the run (references first). Returns a result to hand back now, or undefined to poll. */
  private async submit(task: JobTask): Promise<CollectImagesResult | undefined> {
    const run = this.input.run;
    const ensure = () =>
      ensureReferences(this.deps, task.inputImages, run.taskUUID, this.signal, async (count) => {
        if (!this.step.has((event) => event.stage === 'uploading_references')) {
          this.step.append('uploading_references', { count });
        }
      });
    let references = await ensure();
    for (let staleRetry = 0; ; staleRetry++) {
      try {
        const sync = run.numberResults <= this.deps.settings.syncMaxResults;
        return await this.send(wireTask(task, run, references.imageUUIDs, sync ? 'base64Data' : 'URL'), sync);
      } catch (error) {
        // Runware refused an imageUUID from our cache: it forgot the upload. Refused tasks leave no
        // trace on Runware, so the same taskUUID can go again with fresh uploads.
        if (staleRetry > 0 || references.cachedKeys.length === 0 || !isStaleReference(error)) throw error;
        this.deps.logger.warn(
          { jobId: this.input.jobId, taskUUID: run.taskUUID },
          'Runware no longer knows a cached reference imageUUID; uploading again',
        );
        await forgetReferences(this.deps, references.cachedKeys);
        references = await ensure();
      }
    }
  }

  private announceSubmitted(): void {
    const { taskUUID, numberResults } = this.input.run;
    const already = this.step.has(
      (event) => event.stage === 'submitted' && event.data.runwareTaskUUID === taskUUID,
    );
    if (!already) this.step.append('submitted', { runwareTaskUUID: taskUUID, numberResults });
  }

  private async send(wire: PhotoMakerRequest, sync: boolean): Promise<CollectImagesResult | undefined> {
    const { runware, metrics } = this.deps;
    if (!sync) {
      // Async: Runware acknowledges at once (a conflict means it already holds the task: nothing paid
      // twice). Hand the acceptance to the workflow, then poll in the next call.
      const ack = await timeRunware(metrics, 'photoMaker', () =>
        runware.submit(wire, { signal: this.signal, retry: false }),
      );
      this.accepted = true;
      this.beat();
      this.announceSubmitted();
      await this.persistNew(ack.results);
      return await this.result(false);
    }
    // Sync: one request whose answer carries the images (small batches: no polling delay at all). The
    // submitted event goes out while the request runs; appends keep their order in the stream.
    this.announceSubmitted();
    try {
      const results = await timeRunware(metrics, 'photoMaker', () =>
        runware.photoMaker(wire, { signal: this.signal, retry: false }),
      );
      this.accepted = true;
      await this.persistNew(results);
      return await this.result(true);
    } catch (error) {
      if (!(error instanceof RunwareClientError) || !(error.alreadyAccepted || error.generationFailed))
        throw error;
      this.accepted = true;
      this.beat();
      await this.persistNew(error.results);
      if (error.generationFailed) return await this.result(true, generationFailures(error.errors));
      return undefined;
    }
  }

  /** getResponse until at least one new image is stored, or the run has ended. */
  private async poll(firstDelayMs: number): Promise<CollectImagesResult> {
    const { runware, metrics } = this.deps;
    const run = this.input.run;
    let delay = firstDelayMs;
    for (;;) {
      if (delay > 0) await sleep(delay);
      let snapshot: Awaited<ReturnType<RunwareClient['getResponse']>>;
      try {
        snapshot = await timeRunware(metrics, 'getResponse', () =>
          runware.getResponse(run.taskUUID, { signal: this.signal, retry: false }),
        );
      } catch (error) {
        if (this.signal.aborted) throw error;
        if (!(error instanceof RunwareClientError) || !error.retryable) throw error;
        // A failed poll only slows polling down (never below Retry-After).
        delay = Math.max(this.nextDelay(delay), error.retryAfterMs ?? 0);
        this.beat();
        continue;
      }
      this.beat();
      const successes: PhotoMakerResult[] = [];
      let processing = 0;
      for (const item of snapshot.items) {
        if (item.status === 'processing') processing += 1;
        else {
          const { status: _status, ...result } = item;
          successes.push(result as PhotoMakerResult);
        }
      }
      const fresh = successes.filter((result) => !this.known.has(result.imageUUID));
      await this.persistNew(fresh);
      const done = processing === 0 && successes.length + snapshot.errors.length >= run.numberResults;
      if (fresh.length > 0 || done)
        return await this.result(done, done ? generationFailures(snapshot.errors) : []);
      delay = this.nextDelay(delay);
    }
  }

  private nextDelay(delay: number): number {
    const { initialMs, factor, maxMs } = this.deps.settings.poll;
    return delay <= 0 ? initialMs : Math.min(maxMs, delay * factor);
  }

  /** Downloads new images in parallel, then records them in arrival order (image i of n). */
  private async persistNew(results: readonly PhotoMakerResult[]): Promise<void> {
    const fresh: PhotoMakerResult[] = [];
    const seen = new Set<string>();
    for (const result of results) {
      if (this.known.has(result.imageUUID) || seen.has(result.imageUUID)) continue;
      seen.add(result.imageUUID);
      fresh.push(result);
    }
    if (fresh.length === 0) return;
    const first = this.nextIndex;
    const images = await Promise.all(
      fresh.map((result, offset) =>
        persistOutput(this.deps, result, { index: first + offset, ...this.input.image }, this.signal),
      ),
    );
    for (const image of images) {
      this.step.append('image_ready', { index: image.index, total: this.input.total, image });
      this.known.add(image.imageUUID);
      this.nextIndex = image.index + 1;
    }
    await this.step.flush();
    this.beat();
  }
}

/**
 * One step of a job on Runware, on the Runware task queue: references + submission (first call), then
 * getResponse until new images are stored. Heartbeats carry progress (and bring cancellation, which
 * aborts the undici request); events appended here use the seq numbers the workflow assigned.
 *
 * `local`: the same step as the local activity `collectImagesLocally` of single-image jobs, inside the
 * workflow task (no activity task round trip): references + one sync request, nothing else. It cannot
 * heartbeat (cancellation comes with the next workflow task instead), so it never polls: a run that needs
 * polling goes back to the workflow for the task-queue activity.
 */
export function createCollectImages(deps: ActivityDeps, options: { local?: boolean } = {}) {
  const local = options.local === true;
  return async function collectImages(input: CollectImagesInput): Promise<CollectImagesResult> {
    const ctx = Context.current();
    try {
      if (local && input.run.numberResults > deps.settings.syncMaxResults) return HANDED_OVER;
      const prior = ctx.info.heartbeatDetails as Progress | undefined;
      // A retried call adopts what its earlier attempts already published (so does the activity taking
      // over from the local step). The local step always looks: after a worker crash it runs again as
      // attempt 1, and its first run may have published events already.
      const adopt = local || input.resume === true || ctx.info.attempt > 1;
      const adopted = adopt ? await deps.events.range(input.jobId, input.nextSeq - 1) : [];
      const step = new StepEvents({
        log: deps.events,
        jobId: input.jobId,
        firstSeq: input.nextSeq,
        adopted,
        metrics: deps.metrics,
      });
      step.appendPrelude(input.prelude ?? []);
      const call = new CollectCall(deps, input, ctx, step, { prior, local });
      // Heartbeats are a no-op in a local activity.
      const ticker = local ? undefined : setInterval(call.beat, 1_000);
      if (!local) call.beat();
      try {
        return await call.run();
      } catch (error) {
        // Whatever was sent is in the stream before the workflow reads it back after this failure.
        await step.flush().catch(() => undefined);
        throw error;
      } finally {
        if (ticker) clearInterval(ticker);
      }
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
