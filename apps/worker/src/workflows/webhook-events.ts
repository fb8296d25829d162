import type { JobState, WebhookEvent } from '@photomaker/schema';
import { DEFAULT_WEBHOOK_EVENTS } from '@photomaker/schema/job';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { CancellationScope, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { JobEventDelivery, JobEventKind } from '../activities/deliver-job-event.ts';
import type { Activities } from '../activities/index.ts';
import { DELIVERY_RETRY } from './deliveries.ts';
import { jobPatched } from './patches.ts';
import { deliveryTaskQueue } from './task-queues.ts';

// Workflow code: which events a job's webhookURL is sent (its webhookEvents), and the job-level ones.

/** Job-level webhook events and the IMAGE filter; histories from before send every image and nothing else. */
const WEBHOOK_EVENTS_PATCH = 'webhook-events';

function eventActivities() {
  return proxyActivities<Activities>({
    taskQueue: deliveryTaskQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '2 minutes',
    // As image deliveries: ~20 min of retries, then the event is given up (the job's outcome stands).
    retry: DELIVERY_RETRY,
  });
}

/** Whether the job's webhookURL gets `event`. Jobs of histories from before get IMAGE only. */
export function wants(input: PhotoMakerJobInput, event: WebhookEvent): boolean {
  if (!input.task.webhookURL) return false;
  if (!jobPatched(input, WEBHOOK_EVENTS_PATCH)) return event === 'IMAGE';
  return (input.webhookEvents ?? DEFAULT_WEBHOOK_EVENTS).includes(event);
}

/**
 * POSTs a job-level event when the job asked for it. A receiver that stays down loses the event, not the
 * job: the failure is logged and the job's own end stands. Not cancellable (a cancelled job says so).
 */
export async function notify(
  input: PhotoMakerJobInput,
  state: JobState,
  event: JobEventKind,
  extra: Pick<JobEventDelivery, 'reason' | 'timedOut'> = {},
): Promise<void> {
  if (!wants(input, event)) return;
  const delivery: JobEventDelivery = {
    jobId: input.jobId,
    tenant: input.tenant,
    url: input.task.webhookURL as string,
    event,
    runwareTaskUUID: state.runwareTaskUUID,
    at: event === 'STARTED' ? new Date().toISOString() : (state.finishedAt ?? new Date().toISOString()),
    status: event === 'STARTED' ? 'RUNNING' : state.status,
    numberResults: input.task.numberResults,
    ...(event === 'STARTED' ? {} : { images: state.images, cost: state.cost }),
    ...(event === 'FAILED' ? { error: state.error } : {}),
    ...extra,
  };
  try {
    await CancellationScope.nonCancellable(() => eventActivities().deliverJobEvent(delivery));
  } catch {
    // No reason: a delivery failure names its target, and a target's path may hold a token.
    log.warn('webhook event not delivered', { jobId: input.jobId, event });
  }
}
