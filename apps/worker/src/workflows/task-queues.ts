// Workflow-safe. Runware-calling activities get a task queue of their own, so the server-side rate limit
// (maxTaskQueueActivitiesPerSecond = the global Runware rate) throttles them and nothing else.
export const RUNWARE_QUEUE_SUFFIX = '-runware';

export function runwareTaskQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}${RUNWARE_QUEUE_SUFFIX}`;
}
