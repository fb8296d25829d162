import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';

// A job's deadline (`cancelAt` in its input): a workflow timer that cancels the job's work when it fires.

/** The job's `cancelAt` passed: its work was cancelled (what Runware already runs still runs there). */
export class DeadlinePassed extends Error {}

/**
 * Runs `work` in its own cancellation scope, cancelled when `cancelAt` passes (a workflow timer). No
 * deadline, no timer: jobs started without one (and their histories) run exactly as before.
 */
export async function withDeadline(cancelAt: string | undefined, work: () => Promise<void>): Promise<void> {
  if (cancelAt === undefined) return work();
  const workScope = new CancellationScope();
  const timerScope = new CancellationScope();
  let passed = false;
  // Rejected only when timerScope is cancelled (the work ended first, or the whole job is cancelled).
  const timer = timerScope.run(() => sleep(Math.max(1, Date.parse(cancelAt) - Date.now())));
  timer.then(
    () => {
      passed = true;
      workScope.cancel();
    },
    () => undefined,
  );
  try {
    await workScope.run(work);
  } catch (error) {
    // A deadline that finds the activity in a retry backoff gets its last failure back, not a cancellation
    // (same patch as the job's cancel; histories from before failed the job with that failure).
    const cancelled =
      isCancellation(error) || (workScope.consideredCancelled && patched('cancel-in-backoff'));
    if (passed && cancelled) throw new DeadlinePassed();
    throw error;
  } finally {
    timerScope.cancel();
  }
}
