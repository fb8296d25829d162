import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const millis = (event: HistoryEvent): number => {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
};

export interface ActivityRun {
  scheduledAt: number;
  /** The attempt that started last (history records only the last start). */
  attempt: number | undefined;
  startedAt: number | undefined;
  outcome: 'completed' | 'failed' | 'timedOut' | 'canceled' | 'pending';
}

/** Each scheduled activity of a type, with its last attempt and outcome, from the workflow's history. */
export async function activityRuns(handle: WorkflowHandle, activityType: string): Promise<ActivityRun[]> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const runs = new Map<string, ActivityRun>();
  for (const event of events) {
    const id = String(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === activityType) {
      runs.set(id, {
        scheduledAt: millis(event),
        attempt: undefined,
        startedAt: undefined,
        outcome: 'pending',
      });
      continue;
    }
    const ref =
      event.activityTaskStartedEventAttributes ??
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    const run = ref ? runs.get(String(ref.scheduledEventId)) : undefined;
    if (!run) continue;
    if (event.activityTaskStartedEventAttributes) {
      run.attempt = event.activityTaskStartedEventAttributes.attempt ?? undefined;
      run.startedAt = millis(event);
    } else if (event.activityTaskCompletedEventAttributes) run.outcome = 'completed';
    else if (event.activityTaskFailedEventAttributes) run.outcome = 'failed';
    else if (event.activityTaskTimedOutEventAttributes) run.outcome = 'timedOut';
    else if (event.activityTaskCanceledEventAttributes) run.outcome = 'canceled';
  }
  return [...runs.values()];
}
