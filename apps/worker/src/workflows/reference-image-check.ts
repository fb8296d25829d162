import type { ReferenceImageCheck, ReferenceImageCheckInput } from '@photomaker/temporal';
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { visionTaskQueue } from './task-queues.ts';

/**
 * REFERENCE_IMAGE_CHECK_WORKFLOW: one stored photo checked on the vision queue, for the API to answer
 * uploadReferenceImage's `check` (a client shows the verdict and face box at once). Seconds long.
 */
export async function checkReferenceImage(input: ReferenceImageCheckInput): Promise<ReferenceImageCheck> {
  const { checkReferenceImage: check } = proxyActivities<Activities>({
    taskQueue: visionTaskQueue(workflowInfo().taskQueue),
    scheduleToCloseTimeout: '1 minute',
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '500 milliseconds', maximumAttempts: 3 },
  });
  return check(input);
}
