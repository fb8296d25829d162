import { isTerminalStatus, type JobImage, type JobState } from '@photomaker/schema';

// What /v1 getResponse reports of a job's images (a Runware client polls until it has numberResults
// successful items, then stops).

export interface ReportedImages {
  /** Reported as done, those at or above the job's minLikeness first (then by index). */
  done: JobImage[];
  /** Items still to come: processing while the job runs, errors once it failed or was cancelled. */
  pending: number;
}

/**
 * While a job with regenerateBelow may still make extra images, an image below its minLikeness, or not
 * scored yet, is held back as processing: a client that stops at numberResults successful items would
 * otherwise take it and never see the extra image that replaces it. Once the job ends every image is
 * reported, those marked below minLikeness last, so the first numberResults items are the best it made.
 */
export function reportedImages(state: JobState): ReportedImages {
  const holding =
    state.regenerateBelow !== undefined && state.regenerateBelow > 0 && !isTerminalStatus(state.status);
  const shown = holding ? state.images.filter((image) => image.belowMinLikeness === false) : state.images;
  const byIndex = [...shown].sort((a, b) => a.index - b.index);
  const done = [
    ...byIndex.filter((image) => image.belowMinLikeness !== true),
    ...byIndex.filter((image) => image.belowMinLikeness === true),
  ];
  const slots = Math.max(state.task.numberResults, state.images.length);
  return { done, pending: Math.max(0, slots - done.length) };
}
