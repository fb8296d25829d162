import { createEventActivities } from '../events/event-activities.ts';
import {
  createReleaseAdmissionSlot,
  createRequestAdmissionSlot,
  createRequestAdmissionSlotNow,
} from './admission.ts';
import { createCheckReferenceImage, createCheckReferences } from './check-references.ts';
import { createCollectImages } from './collect-images.ts';
import { createDeliverJobEvent } from './deliver-job-event.ts';
import { createDeliverUpload } from './deliver-upload.ts';
import { createDeliverWebhook } from './deliver-webhook.ts';
import type { ActivityDeps } from './deps.ts';
import { createRecordUsage } from './record-usage.ts';
import { createScoreLikeness } from './score-likeness.ts';
import { createSingleImageStep, HANDED_OVER } from './single-image-step.ts';

export type { ActivityDeps } from './deps.ts';

/** Activities bound to one worker process's connections. Names are the activity types in history. */
export function createActivities(deps: ActivityDeps) {
  return {
    /** Local activities (run inside the workflow task, no server round trip). */
    ...createEventActivities(deps),
    /** Local: asks the admission workflow for a slot (signalWithStart). */
    requestAdmissionSlot: createRequestAdmissionSlot(),
    /** Local: the same with an update, answered with the grant when a slot is free at once. */
    requestAdmissionSlotNow: createRequestAdmissionSlotNow(deps),
    /** Local: gives the job's slot back (a signal from the worker's client). */
    releaseAdmissionSlot: createReleaseAdmissionSlot(),
    /** The job's usage line, once it ended (local). */
    recordUsage: createRecordUsage(deps),
    /** The Runware step of single-image jobs, as a local activity (one sync request, no polling). */
    collectImagesLocally: createSingleImageStep(deps),
    /** On the job task queue (rate limited when WORKER_RUNWARE_ACTIVITIES_PER_SECOND is set). */
    collectImages: createCollectImages(deps),
    /** On the deliveries task queue. */
    deliverWebhook: createDeliverWebhook(deps),
    deliverUpload: createDeliverUpload(deps),
    /** On the vision task queue (face models, CPU-bound). */
    checkReferences: createCheckReferences(deps),
    checkReferenceImage: createCheckReferenceImage(deps),
    scoreLikeness: createScoreLikeness(deps),
    deliverJobEvent: createDeliverJobEvent(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Which activities each worker of a process registers. */
export function splitActivities(activities: Activities, options: { localRunwareStep?: boolean } = {}) {
  const {
    deliverWebhook,
    deliverUpload,
    deliverJobEvent,
    checkReferences,
    checkReferenceImage,
    scoreLikeness,
    ...main
  } = activities;
  // A queue-wide Runware rate limit holds only for task-queue activities (the server enforces it): the
  // local step then hands every job over at once.
  if (options.localRunwareStep === false) main.collectImagesLocally = async () => HANDED_OVER;
  return {
    main,
    deliveries: { deliverWebhook, deliverUpload, deliverJobEvent },
    vision: { checkReferences, checkReferenceImage, scoreLikeness },
  };
}
