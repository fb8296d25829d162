import type { JobEventLog } from '@photomaker/events';
import type { JobEvent } from '@photomaker/schema';
import { type EventMetrics, publishNumbered } from './step-writer.ts';

export interface ReadEventsInput {
  jobId: string;
  afterSeq: number;
}

/**
 * The workflow's own side of the protocol, as local activities (no server round trip): publishing the
 * events it numbered, and reading back what a failed step published (adopting it, rule 3).
 * Their names are activity types in history.
 */
export function createEventActivities(deps: { events: JobEventLog; metrics: EventMetrics }) {
  return {
    async publishEvents(events: JobEvent[]): Promise<void> {
      await publishNumbered(deps.events, deps.metrics, events);
    },
    async readEvents(input: ReadEventsInput): Promise<JobEvent[]> {
      return deps.events.range(input.jobId, input.afterSeq);
    },
  };
}
