import { createCollectImages } from './collect-images.ts';
import { createDeliverUpload } from './deliver-upload.ts';
import { createDeliverWebhook } from './deliver-webhook.ts';
import type { ActivityDeps } from './deps.ts';
import { createPublishEvents } from './publish-events.ts';
import { createReadEvents } from './read-events.ts';

export type { ActivityDeps, ActivitySettings } from './deps.ts';

/** Activities bound to one worker process's connections. Names are the activity types in history. */
export function createActivities(deps: ActivityDeps) {
  return {
    /** Local activities (run inside the workflow task, no server round trip). */
    publishEvents: createPublishEvents(deps),
    readEvents: createReadEvents(deps),
    /** On the job task queue (rate limited when WORKER_RUNWARE_ACTIVITIES_PER_SECOND is set). */
    collectImages: createCollectImages(deps),
    /** On the deliveries task queue. */
    deliverWebhook: createDeliverWebhook(deps),
    deliverUpload: createDeliverUpload(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Which activities each worker of a process registers. */
export function splitActivities(activities: Activities) {
  const { deliverWebhook, deliverUpload, ...main } = activities;
  return { main, deliveries: { deliverWebhook, deliverUpload } };
}
