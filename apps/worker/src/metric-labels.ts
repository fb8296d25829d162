import { OTHER_LABEL } from '@photomaker/observability';
import { KNOWN_RUNWARE_ERROR_CODES, TASK_SCHEMAS } from '@photomaker/schema';
import type { Activities } from './activities/index.ts';

/**
 * The closed sets the worker's metric labels take values from (metrics.ts applies them; anything else
 * is `other`): error codes come from Runware's answers, so an open set could grow /metrics without bound.
 */

export const JOB_OUTCOMES = ['succeeded', 'failed', 'cancelled'];

export const RUNWARE_TASK_TYPES = [...Object.keys(TASK_SCHEMAS), 'getTaskDetails'];

const RUNWARE_OUTCOMES: ReadonlySet<string> = new Set(['ok', 'error', ...KNOWN_RUNWARE_ERROR_CODES]);

/** `ok`, `error` (no code) or a Runware error code we know by name. */
export const runwareOutcome = (value: string): string => (RUNWARE_OUTCOMES.has(value) ? value : OTHER_LABEL);

export const ACTIVITY_TYPES = [
  'publishEvents',
  'readEvents',
  'requestAdmissionSlot',
  'requestAdmissionSlotNow',
  'releaseAdmissionSlot',
  'recordUsage',
  'collectImagesLocally',
  'collectImages',
  'deliverWebhook',
  'deliverUpload',
  'checkReferences',
  'scoreLikeness',
  'checkReferenceImage',
  'deliverJobEvent',
] as const satisfies readonly (keyof Activities)[];

type UnlistedActivity = Exclude<keyof Activities, (typeof ACTIVITY_TYPES)[number]>;
/** Compiles only while ACTIVITY_TYPES lists every activity createActivities returns. */
export type EveryActivityListed = [UnlistedActivity] extends [never] ? true : never;
const _everyActivityListed: EveryActivityListed = true;
void _everyActivityListed;

export const ACTIVITY_OUTCOMES = ['completed', 'failed', 'cancelled'];

export const REFERENCE_SOURCES = ['cache', 'upload'];

export const DELIVERY_KINDS = ['webhook', 'upload'];

export const DELIVERY_OUTCOMES = ['delivered', 'retry', 'refused'];

export const EVENT_RESULTS = ['appended', 'duplicate'];
