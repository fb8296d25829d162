import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { isCancellation, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { JobLedger } from '../events/job-ledger.ts';
import { referenceRefused } from './failures.ts';
import { jobPatched } from './patches.ts';
import { visionTaskQueue } from './task-queues.ts';

// Workflow code: the job's face steps (issue #17), as activities on the vision task queue. Only blob
// references go in and small verdicts come back: photos and embeddings never enter history.

/** Jobs started with referenceCheck STRICT/WARN check their references first; histories from before do not. */
const REFERENCE_CHECK = 'reference-check';
/** Jobs with a reference check also score every image's likeness; histories from before do not. */
const LIKENESS_SCORE = 'likeness-score';

/** CPU work, retried like any transient failure; waiting for a vision worker counts. */
function checkActivity() {
  return proxyActivities<Activities>({
    taskQueue: visionTaskQueue(workflowInfo().taskQueue),
    scheduleToCloseTimeout: '10 minutes',
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  }).checkReferences;
}

function scoreActivity() {
  return proxyActivities<Activities>({
    taskQueue: visionTaskQueue(workflowInfo().taskQueue),
    scheduleToCloseTimeout: '5 minutes',
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '1 second', maximumAttempts: 3 },
  }).scoreLikeness;
}

/**
 * The job's first step when asked for: STRICT ends the job on the first failed check, before anything
 * is sent to Runware; WARN records the warnings on the job and runs it.
 */
export async function checkReferences(input: PhotoMakerJobInput, ledger: JobLedger): Promise<void> {
  const mode = input.referenceCheck;
  if (!mode || mode === 'OFF' || !jobPatched(input, REFERENCE_CHECK)) return;
  const { warnings } = await checkActivity()({ jobId: input.jobId, references: input.task.inputImages });
  const first = warnings[0];
  if (mode === 'STRICT' && first) throw referenceRefused(first);
  // Published with the next step's events (no round trip of its own).
  ledger.hold('references_checked', { warnings });
}

/** Whether the job's images get likeness scores (a reference check or a minLikeness, and photos we hold). */
export function scoresImages(input: PhotoMakerJobInput): boolean {
  const mode = input.referenceCheck;
  const wanted = (!!mode && mode !== 'OFF') || input.minLikeness !== undefined;
  const anyBlob = input.task.inputImages.some((ref) => ref.kind === 'blob');
  return wanted && anyBlob && jobPatched(input, LIKENESS_SCORE);
}

/**
 * Each image's likeness to the references, as one `images_scored` event. Best effort: a failed score
 * leaves the image unscored, never fails a job whose images are made and paid for. `fromIndex`: only the
 * images from there on (a job's extra images, scored after its first ones).
 */
export async function scoreImages(
  input: PhotoMakerJobInput,
  ledger: JobLedger,
  fromIndex = 0,
): Promise<void> {
  const score = scoreActivity();
  const images = ledger.state.images.filter((image) => image.index >= fromIndex);
  const results = await Promise.all(
    images.map((image) =>
      score({ jobId: input.jobId, references: input.task.inputImages, image: image.blob }).catch(
        (error: unknown) => {
          if (isCancellation(error)) throw error;
          log.warn('likeness score failed', { jobId: input.jobId, index: image.index });
          return null;
        },
      ),
    ),
  );
  const min = input.minLikeness;
  const scores = images.flatMap((image, i) => {
    const result = results[i];
    if (!result) return [];
    return [
      {
        index: image.index,
        ...result,
        ...(min !== undefined ? { belowMinLikeness: result.likeness < min } : {}),
      },
    ];
  });
  if (scores.length > 0) await ledger.emit('images_scored', { scores });
}
