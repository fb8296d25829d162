import { OutputOwners } from '@photomaker/events';
import { type RunwareClient, RunwareClientError } from '@photomaker/runware';
import {
  classifyRunwareError,
  type JobImage,
  type JobTask,
  type PhotoMakerResult,
  type RunwareError,
} from '@photomaker/schema';
import type { StepWriter } from '../events/step-writer.ts';
import { timeRunware } from '../metrics.ts';
import type { ActivityDeps } from './deps.ts';
import { persistOutput } from './output-image.ts';
import { type EnsuredReferences, ensureReferences, forgetReferences } from './references.ts';
import type { CollectImagesResult, GenerationFailure, RunwareRun, RunwareStepSpec } from './types.ts';

type PhotoMakerRequest = Parameters<RunwareClient['submit']>[0];

/**
 * The Runware task for one run: our taskUUID, references by imageUUID. Sync runs take the image inline
 * (no second request); async runs take URLs (getResponse repeats every finished image on every poll).
 */
export function wireTask(
  task: JobTask,
  run: RunwareRun,
  inputImages: string[],
  options: { outputType: 'URL' | 'base64Data'; includeCost: boolean },
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
    outputType: options.outputType,
    // Usage reports count Runware's cost per image: asked for whatever the job asked (the job's own
    // `cost` still follows its includeCost).
    includeCost: task.includeCost || options.includeCost,
    ...(run.seed !== undefined ? { seed: run.seed } : {}),
  } as PhotoMakerRequest;
}

/** Failed generations: a provider/timeout/server code is worth a new task; safety/validation are not. */
export function generationFailures(errors: readonly RunwareError[]): GenerationFailure[] {
  return errors.map((error) => {
    const parameter = Array.isArray(error.parameter) ? error.parameter.join(', ') : error.parameter;
    return {
      code: error.code,
      message: error.message,
      ...(parameter ? { parameter } : {}),
      // With parameter and message: a reference image that does not decode is not worth a new task.
      retryable: classifyRunwareError({
        code: error.code,
        parameter: error.parameter,
        message: error.message,
      }).retryable,
    };
  });
}

export function isStaleReference(error: unknown): boolean {
  return (
    error instanceof RunwareClientError &&
    !error.retryable &&
    error.category === 'validation' &&
    (error.parameter ?? '').includes('inputImages')
  );
}

/** Sums per-image USD costs without float noise (0.1 + 0.2). */
const roundCost = (total: number) => Math.round(total * 1e9) / 1e9;

/**
 * One Runware run of a job as seen by one activity attempt: submission (references first), storing new
 * images as `image_ready` events, and the step's result. Shared by the local single-image step and the
 * task-queue step; `beat` reports progress (a no-op where there are no heartbeats).
 */
export class RunwareStep {
  private readonly deps: ActivityDeps;
  private readonly spec: RunwareStepSpec;
  private readonly writer: StepWriter;
  private readonly signal: AbortSignal;
  private readonly beat: () => void;
  /** imageUUIDs of the job's images: the workflow's, adopted ones, and the ones stored here. */
  readonly known: Set<string>;
  private nextIndex: number;
  accepted: boolean;

  constructor(options: {
    deps: ActivityDeps;
    spec: RunwareStepSpec;
    writer: StepWriter;
    signal: AbortSignal;
    beat: () => void;
    acceptedBefore?: boolean;
  }) {
    const { spec, writer } = options;
    this.deps = options.deps;
    this.spec = spec;
    this.writer = writer;
    this.signal = options.signal;
    this.beat = options.beat;
    this.known = new Set(spec.knownImageUUIDs);
    let adoptedImages = 0;
    for (const event of writer.events) {
      if (event.stage !== 'image_ready') continue;
      this.known.add(event.data.image.imageUUID);
      adoptedImages += 1;
    }
    this.nextIndex = spec.nextIndex + adoptedImages;
    this.accepted = spec.accepted || options.acceptedBefore === true;
  }

  /** The step's answer; the job's last step also writes the job's `succeeded` once every image is in. */
  async finish(done: boolean, failures: GenerationFailure[] = []): Promise<CollectImagesResult> {
    const ends = this.spec.endsJob;
    const ended = this.writer.has((event) => event.stage === 'succeeded');
    if (ends && !ended && this.known.size >= this.spec.total) {
      let total = ends.costSoFar ?? 0;
      for (const event of this.writer.events)
        if (event.stage === 'image_ready') total += event.data.image.cost ?? 0;
      this.writer.append('succeeded', {
        imageCount: this.known.size,
        cost: ends.includeCost ? roundCost(total) : null,
      });
    }
    await this.writer.flush();
    return { events: this.writer.events, accepted: this.accepted, done, failures };
  }

  /** The run's references on Runware (uploaded once per content hash; `uploading_references` once). */
  references(task: JobTask): Promise<EnsuredReferences> {
    return ensureReferences(
      this.deps,
      task.inputImages,
      this.spec.run.taskUUID,
      this.signal,
      async (count) => {
        if (!this.writer.has((event) => event.stage === 'uploading_references')) {
          this.writer.append('uploading_references', { count });
        }
      },
    );
  }

  /** Runware refused a cached reference imageUUID: drops the cache entries and uploads again. */
  async refreshReferences(task: JobTask, stale: EnsuredReferences): Promise<EnsuredReferences> {
    this.deps.logger.warn(
      { jobId: this.spec.jobId, taskUUID: this.spec.run.taskUUID },
      'Runware no longer knows a cached reference imageUUID; uploading again',
    );
    await forgetReferences(this.deps, stale.cachedKeys);
    return this.references(task);
  }

  /** Sends the run (references first). Returns a result to hand back now, or undefined to poll. */
  async submit(task: JobTask): Promise<CollectImagesResult | undefined> {
    const run = this.spec.run;
    let references = await this.references(task);
    for (let staleRetry = 0; ; staleRetry++) {
      try {
        const sync = run.numberResults <= this.deps.settings.syncMaxResults;
        const outputType = sync ? 'base64Data' : 'URL';
        const includeCost = this.deps.settings.includeCost !== false;
        const wire = wireTask(task, run, references.imageUUIDs, { outputType, includeCost });
        return await this.send(wire, sync);
      } catch (error) {
        // Runware refused an imageUUID from our cache: it forgot the upload. Refused tasks leave no
        // trace on Runware, so the same taskUUID can go again with fresh uploads.
        if (staleRetry > 0 || references.cachedKeys.length === 0 || !isStaleReference(error)) throw error;
        references = await this.refreshReferences(task, references);
      }
    }
  }

  /** Downloads new images in parallel, then records them in arrival order (image i of n). */
  async store(results: readonly PhotoMakerResult[]): Promise<void> {
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
        persistOutput(this.deps, result, { index: first + offset, ...this.spec.image }, this.signal),
      ),
    );
    // Before the images are announced: whoever sees an output UUID can already be checked against it.
    await new OutputOwners(this.deps.redis).recordOutputs(
      this.spec.jobId,
      images.map((image) => image.imageUUID),
    );
    for (const image of images) {
      this.writer.append('image_ready', { index: image.index, total: this.spec.total, image });
      this.known.add(image.imageUUID);
      this.nextIndex = image.index + 1;
    }
    await this.writer.flush();
    this.beat();
  }

  /** Images of this step's range an earlier attempt (or this one) stored. */
  storedImages(): JobImage[] {
    return this.writer.events.flatMap((event) => (event.stage === 'image_ready' ? [event.data.image] : []));
  }

  get jobId(): string {
    return this.spec.jobId;
  }

  /** The job's `submitted` (its own taskUUID and image count), once. */
  announceSubmitted(): void {
    const { taskUUID, numberResults } = this.spec.run;
    const already = this.writer.has(
      (event) => event.stage === 'submitted' && event.data.runwareTaskUUID === taskUUID,
    );
    if (!already) this.writer.append('submitted', { runwareTaskUUID: taskUUID, numberResults });
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
      await this.store(ack.results);
      return await this.finish(false);
    }
    // Sync: one request whose answer carries the images (small batches: no polling delay at all). The
    // submitted event goes out while the request runs; appends keep their order in the stream.
    this.announceSubmitted();
    try {
      const results = await timeRunware(metrics, 'photoMaker', () =>
        runware.photoMaker(wire, { signal: this.signal, retry: false }),
      );
      this.accepted = true;
      await this.store(results);
      return await this.finish(true);
    } catch (error) {
      if (!(error instanceof RunwareClientError) || !(error.alreadyAccepted || error.generationFailed))
        throw error;
      this.accepted = true;
      this.beat();
      await this.store(error.results);
      if (error.generationFailed) return await this.finish(true, generationFailures(error.errors));
      return undefined;
    }
  }
}
