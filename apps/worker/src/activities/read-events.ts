import type { JobEvent } from '@photomaker/schema';
import type { ActivityDeps } from './deps.ts';
import type { ReadEventsInput } from './types.ts';

/** Local activity: the stream after `afterSeq` (what a failed activity attempt already published). */
export function createReadEvents(deps: ActivityDeps) {
  return async function readEvents(input: ReadEventsInput): Promise<JobEvent[]> {
    return deps.events.range(input.jobId, input.afterSeq);
  };
}
