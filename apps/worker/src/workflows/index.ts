// The workflow bundle's entry: only workflow functions are exported from here.

export { photoMakerAdmission } from './admission/workflow.ts';
export { photoMakerJob } from './photomaker-job.ts';
export { checkReferenceImage } from './reference-image-check.ts';
export { retentionSweep } from './retention-sweep.ts';
