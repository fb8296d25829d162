import { Context } from '@temporalio/activity';
import { StepWriter } from '../events/step-writer.ts';
import type { ActivityDeps } from './deps.ts';
import { toActivityFailure } from './failures.ts';
import { createRecordUsage } from './record-usage.ts';
import { RunwareStep } from './runware-step.ts';
import type { CollectImagesResult, RunwareStepSpec, SingleImageStepInput } from './types.ts';

/** What the local step answers when the task-queue step must take the job's run instead. */
export const HANDED_OVER: CollectImagesResult = {
  events: [],
  accepted: false,
  done: false,
  failures: [],
  handedOver: true,
};

/** The job's one run: its own taskUUID, its only images, and the job's end once the image is in. */
function singleImageSpec(input: SingleImageStepInput): RunwareStepSpec {
  const { task } = input;
  return {
    jobId: input.jobId,
    run: {
      taskUUID: input.taskUUID,
      numberResults: task.numberResults,
      ...(task.seed !== undefined ? { seed: task.seed } : {}),
    },
    task,
    accepted: false,
    knownImageUUIDs: [],
    nextIndex: 0,
    total: task.numberResults,
    image: { width: task.width, height: task.height, outputFormat: task.outputFormat },
    endsJob: { costSoFar: null, includeCost: task.includeCost },
  };
}

/**
 * The Runware step of a single-image job without deliveries, as a local activity inside the workflow
 * task (no activity task round trip): references + one sync request, nothing else. It cannot heartbeat
 * (cancellation comes with the next workflow task instead), so it never polls: a run Runware holds
 * without answering with its image goes back to the workflow, accepted, for the task-queue step.
 * Always adopts (protocol rule 3): after a worker crash it runs again as attempt 1.
 */
export function createSingleImageStep(deps: ActivityDeps) {
  const recordUsage = createRecordUsage(deps);
  /**
   * The job's usage line, once this step wrote its `succeeded` (what the workflow's usage step would
   * write from the same events: idempotent per job, so a re-run counts nothing twice). Best effort: if
   * it fails, the workflow's own usage step writes it.
   */
  const recordEnd = async (input: SingleImageStepInput, result: CollectImagesResult) => {
    const end = result.events.find((event) => event.stage === 'succeeded');
    if (!input.usage || !end) return result;
    try {
      await recordUsage({
        jobId: input.jobId,
        tenant: input.usage.tenant,
        keyId: input.usage.keyId,
        model: input.task.model,
        outcome: 'SUCCEEDED',
        finishedAt: end.at,
        imageCosts: result.events.flatMap((e) =>
          e.stage === 'image_ready' ? [e.data.image.cost ?? null] : [],
        ),
      });
      return { ...result, usageRecorded: true as const };
    } catch (error) {
      deps.logger.warn(
        { jobId: input.jobId, err: error },
        'usage line not written by the step; the workflow writes it',
      );
      return result;
    }
  };
  return async function collectImagesLocally(input: SingleImageStepInput): Promise<CollectImagesResult> {
    try {
      // Sync delivery off: the run needs polling.
      if (deps.settings.syncMaxResults < input.task.numberResults) return HANDED_OVER;
      const writer = await StepWriter.open({
        log: deps.events,
        metrics: deps.metrics,
        jobId: input.jobId,
        range: input,
      });
      const signal = Context.current().cancellationSignal;
      // A local activity has no heartbeat (Core would log each one as an unknown activity's).
      const step = new RunwareStep({ deps, spec: singleImageSpec(input), writer, signal, beat: () => {} });
      try {
        return await recordEnd(input, (await step.submit(input.task)) ?? (await step.finish(false)));
      } catch (error) {
        await writer.flush().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
