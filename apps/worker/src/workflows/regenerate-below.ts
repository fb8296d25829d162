import type { JobState } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import type { RunwareRun } from '../activities/types.ts';

// Workflow code (pure): which extra images a job with `regenerateBelow` makes next (issue #17).

/** Jobs with regenerateBelow make extra images below the bar; histories from before do not. */
export const REGENERATE_BELOW = 'regenerate-below';

/** Images scored at or above the job's minLikeness. */
export function passingImages(state: JobState, minLikeness: number): number {
  return state.images.filter((image) => image.likeness !== undefined && image.likeness >= minLikeness).length;
}

/**
 * The next per-image run of extra images: as many as are still missing above the bar, within what is
 * left of the budget; undefined when enough pass or the budget is used. Its images are the job's next
 * indexes (seed + index, taskUUIDs derived from the job's), so a retry or a crash never pays twice.
 */
export function nextExtraRun(input: PhotoMakerJobInput, state: JobState): RunwareRun | undefined {
  const { numberResults, seed } = input.task;
  const budget = input.regenerateBelow ?? 0;
  const min = input.minLikeness;
  if (min === undefined || budget <= 0) return undefined;
  const have = state.images.length;
  const made = have - numberResults;
  const batch = Math.min(numberResults - passingImages(state, min), budget - made);
  if (batch <= 0) return undefined;
  return {
    taskUUID: input.runwareTaskUUID,
    numberResults: have + batch,
    from: have,
    perImage: true,
    ...(seed ? { seed } : {}),
  };
}
