import { Context } from '@temporalio/activity';
import { StepWriter } from '../events/step-writer.ts';
import { timeRunware } from '../metrics.ts';
import type { ActivityDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';
import { isJobCancel, PerImageRun } from './per-image-run.ts';
import { generationFailures, RunwareStep } from './runware-step.ts';
import type { CollectImagesInput, CollectImagesResult, PreviousCollectImagesInput } from './types.ts';

/** What an attempt heartbeats: a retry resumes from it (and from the events already in the stream). */
interface Progress {
  accepted: boolean;
  imageUUIDs: string[];
}

/** An input the previous workflow version scheduled, under this version's names. */
export function currentInput(input: CollectImagesInput | PreviousCollectImagesInput): CollectImagesInput {
  if (!('nextSeq' in input)) return input;
  const { nextSeq, prelude, completesJob, resume: _everyAttemptAdopts, ...spec } = input;
  return {
    ...spec,
    firstSeq: nextSeq,
    ...(prelude ? { unpublished: prelude } : {}),
    ...(completesJob ? { endsJob: completesJob } : {}),
  };
}

/**
 * Submits the run unless Runware holds it, then watches getResponse (@photomaker/runware's one polling
 * engine: dedupe, backoff, Retry-After) until an answer brings new images, which are stored, or the run
 * ended. Every poll, answered or not, is a heartbeat.
 */
async function collect(
  deps: ActivityDeps,
  input: CollectImagesInput,
  step: RunwareStep,
  options: { firstAttempt: boolean; signal: AbortSignal; beat: () => void },
): Promise<CollectImagesResult> {
  if (!step.accepted) {
    if (!input.task) throw new Error('collectImages: a run Runware does not hold yet needs its task');
    const ended = await step.submit(input.task);
    if (ended) return ended;
  }
  const { initialMs, factor, maxMs } = deps.settings.poll;
  const batches = deps.runware.watchResults(input.run.taskUUID, {
    numberResults: input.run.numberResults,
    known: step.known,
    // A retry resumes at once; a first call gives Runware a moment before the first poll.
    firstDelayMs: options.firstAttempt ? initialMs : 0,
    poll: { initialDelayMs: initialMs, factor, maxDelayMs: maxMs },
    signal: options.signal,
    onPollFailure: options.beat,
    wrapPoll: (poll) => timeRunware(deps.metrics, 'getResponse', poll),
  });
  for await (const batch of batches) {
    options.beat();
    await step.store(batch.fresh);
    if (batch.fresh.length > 0 || batch.done) {
      return step.finish(batch.done, batch.done ? generationFailures(batch.errors) : []);
    }
  }
  throw new Error(`getResponse stopped before task ${input.run.taskUUID} ended`);
}

/**
 * A multi-image job one Runware task per image (per-image-run.ts). A retry (or a step repeated after a
 * gap repair) first finds out from Runware which image tasks it already holds.
 */
function collectPerImage(
  deps: ActivityDeps,
  input: CollectImagesInput,
  step: RunwareStep,
  options: { firstAttempt: boolean; stop: AbortSignal; drain: AbortSignal; beat: () => void },
): Promise<CollectImagesResult> {
  if (!input.task) throw new Error('collectImages: a per-image run needs its task');
  const seeds = step.storedImages().map((image) => image.seed);
  const run = new PerImageRun({
    deps,
    step,
    run: input.run,
    task: input.task,
    cancelAt: input.cancelAt,
    maxTasksInFlight: input.maxTasksInFlight,
    ...options,
  });
  const recover = !options.firstAttempt || step.accepted || input.knownImageUUIDs.length > 0;
  return run.collect(PerImageRun.doneImages(input.run, seeds), recover);
}

/**
 * The signal that stops collecting: the cancellation itself, except that a job's cancel (or deadline)
 * leaves the image tasks already at Runware `drainMs` to finish, since they are paid.
 */
function drainSignal(stop: AbortSignal, drainMs: number): { signal: AbortSignal; dispose: () => void } {
  const drain = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onStop = () => {
    if (!isJobCancel(stop.reason)) return drain.abort(stop.reason);
    timer = setTimeout(() => drain.abort(stop.reason), drainMs);
  };
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  return {
    signal: drain.signal,
    dispose: () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    },
  };
}

/**
 * One step of a job on Runware, on the Runware task queue: references + submission (first call), then
 * getResponse until new images are stored. Heartbeats carry progress (and bring cancellation, which
 * aborts the undici request); its events go into the range the workflow reserved (events/protocol.ts).
 */
export function createCollectImages(deps: ActivityDeps) {
  return async function collectImages(
    raw: CollectImagesInput | PreviousCollectImagesInput,
  ): Promise<CollectImagesResult> {
    const ctx = Context.current();
    try {
      const input = currentInput(raw);
      const prior = ctx.info.heartbeatDetails as Progress | undefined;
      const writer = await StepWriter.open({
        log: deps.events,
        metrics: deps.metrics,
        jobId: input.jobId,
        range: input,
      });
      const stop = ctx.cancellationSignal;
      const perImage = input.run.perImage === true;
      const drain = perImage ? drainSignal(stop, deps.settings.cancelDrainMs) : undefined;
      const signal = drain?.signal ?? stop;
      const beat = () =>
        ctx.heartbeat({ accepted: step.accepted, imageUUIDs: [...step.known] } satisfies Progress);
      const step: RunwareStep = new RunwareStep({
        deps,
        spec: input,
        writer,
        signal,
        beat,
        acceptedBefore: prior?.accepted === true,
      });
      const ticker = setInterval(beat, 1_000);
      beat();
      try {
        const firstAttempt = ctx.info.attempt <= 1;
        if (perImage)
          return await collectPerImage(deps, input, step, { firstAttempt, stop, drain: signal, beat });
        return await collect(deps, input, step, { firstAttempt, signal, beat });
      } catch (error) {
        // Whatever was sent is in the stream before the workflow reads it back after this failure.
        await writer.flush().catch(() => undefined);
        throw error;
      } finally {
        clearInterval(ticker);
        drain?.dispose();
      }
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
