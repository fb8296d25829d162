// Workflow-safe. The job's own task queue carries the workflow, its local activities and the Runware
// activity (so the server can hand that activity straight back to the worker that scheduled it: eager
// dispatch, no matching round trip). Deliveries get a queue of their own, which keeps the queue-wide
// rate limit (maxTaskQueueActivitiesPerSecond = the global Runware rate) on Runware calls alone.
const DELIVERY_QUEUE_SUFFIX = '-deliveries';

export function deliveryTaskQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}${DELIVERY_QUEUE_SUFFIX}`;
}

/**
 * The admission workflow's own queue: its tasks (every grant and release) never wait behind a flood of job
 * workflow tasks, which is what a queued lone job's wait would otherwise be bounded by.
 */
export function admissionTaskQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}-admission`;
}

/**
 * Face work (reference checks, likeness scores) is CPU-bound and needs ~250 MB of models: its own queue,
 * so it scales on its own workers and never holds up Runware calls or deliveries.
 */
export function visionTaskQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}-vision`;
}
