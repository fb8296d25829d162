import { Context } from '@temporalio/activity';
import { StepWriter } from '../events/step-writer.ts';
import { timeRunware } from '../metrics.ts';
import type { ActivityDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';
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
      const signal = ctx.cancellationSignal;
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
        return await collect(deps, input, step, { firstAttempt: ctx.info.attempt <= 1, signal, beat });
      } catch (error) {
        // Whatever was sent is in the stream before the workflow reads it back after this failure.
        await writer.flush().catch(() => undefined);
        throw error;
      } finally {
        clearInterval(ticker);
      }
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
