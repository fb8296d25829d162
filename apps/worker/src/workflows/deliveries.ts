import type { JobImage } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import {
  ActivityCancellationType,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { DeliveryInput } from '../activities/types.ts';
import { deliveryFailure } from './failures.ts';
import { deliveryTaskQueue } from './task-queues.ts';

// Workflow code: the job's deliveries (webhook POSTs, upload PUTs) after its images are stored.

/** ~20 min of retries (12 attempts, 1 s doubling to 5 min): image deliveries and job events alike. */
export const DELIVERY_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
  maximumAttempts: 12,
} as const;

function deliveryActivities() {
  return proxyActivities<Activities>({
    taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    // Receivers that are down get ~20 min of retries before the job fails.
    retry: DELIVERY_RETRY,
    // A cancelled job moves on at once: a request already in flight may finish, nothing new is sent.
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  });
}

/**
 * One activity per image and target, in parallel; each retried on its own. The first failure ends the job.
 * `webhook`: whether the job's webhookURL gets its images (its webhookEvents hold IMAGE).
 */
export async function deliver(
  input: PhotoMakerJobInput,
  images: readonly JobImage[],
  options: { webhook: boolean } = { webhook: true },
): Promise<void> {
  const { task } = input;
  const delivery = deliveryActivities();
  const calls: Promise<unknown>[] = [];
  for (const image of images) {
    const base = { jobId: input.jobId, tenant: input.tenant, runwareTaskUUID: input.runwareTaskUUID, image };
    if (task.webhookURL && options.webhook) {
      const call: DeliveryInput = { ...base, url: task.webhookURL, outputType: task.outputType };
      calls.push(
        delivery.deliverWebhook(call).catch((error: unknown) => {
          throw deliveryFailure('webhookURL', error);
        }),
      );
    }
    if (task.uploadEndpoint) {
      const call: DeliveryInput = { ...base, url: task.uploadEndpoint, outputType: task.outputType };
      calls.push(
        delivery.deliverUpload(call).catch((error: unknown) => {
          throw deliveryFailure('uploadEndpoint', error);
        }),
      );
    }
  }
  const settled = await Promise.allSettled(calls);
  const failures = settled.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
  const cancelled = failures.find((reason) => isCancellation(reason));
  if (cancelled !== undefined) throw cancelled;
  if (failures.length > 0) throw failures[0];
}
