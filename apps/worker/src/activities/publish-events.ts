import { EventGapError } from '@photomaker/events';
import type { JobEvent } from '@photomaker/schema';
import type { ActivityDeps } from './deps.ts';
import { eventGapFailure } from './failures.ts';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Local activity: appends events the workflow numbered (idempotent per seq; gaps refused). */
export function createPublishEvents(deps: ActivityDeps) {
  return async function publishEvents(events: JobEvent[]): Promise<void> {
    for (const event of events) {
      let result: 'appended' | 'duplicate';
      try {
        result = await deps.events.append(event);
      } catch (error) {
        if (error instanceof EventGapError) throw eventGapFailure(error);
        throw error;
      }
      deps.metrics.events.inc({ result });
      // Counted once per job: a re-sent terminal event is a duplicate.
      if (result === 'appended' && TERMINAL.has(event.stage)) deps.metrics.jobs.inc({ outcome: event.stage });
    }
  };
}
