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

/** The outcome a closing activity event records, or undefined for any other event. */
function outcomeOf(event: HistoryEvent): ActivityRun['outcome'] | undefined {
  if (event.activityTaskCompletedEventAttributes) return 'completed';
  if (event.activityTaskFailedEventAttributes) return 'failed';
  if (event.activityTaskTimedOutEventAttributes) return 'timedOut';
  if (event.activityTaskCanceledEventAttributes) return 'canceled';
  return undefined;
}

/** The scheduled event an activity event refers to (started or closed), if it is one. */
function scheduledIdOf(event: HistoryEvent): string | undefined {
  const ref =
    event.activityTaskStartedEventAttributes ??
    event.activityTaskCompletedEventAttributes ??
    event.activityTaskFailedEventAttributes ??
    event.activityTaskTimedOutEventAttributes ??
    event.activityTaskCanceledEventAttributes;
  return ref ? String(ref.scheduledEventId) : undefined;
}

/** Each scheduled activity of a type, with its last attempt and outcome, from the workflow's history. */
export async function activityRuns(handle: WorkflowHandle, activityType: string): Promise<ActivityRun[]> {
  const history = await handle.fetchHistory();
  const runs = new Map<string, ActivityRun>();
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === activityType) {
      runs.set(String(event.eventId), {
        scheduledAt: millis(event),
        attempt: undefined,
        startedAt: undefined,
        outcome: 'pending',
      });
      continue;
    }
    const id = scheduledIdOf(event);
    const run = id === undefined ? undefined : runs.get(id);
    if (!run) continue;
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      run.attempt = started.attempt ?? undefined;
      run.startedAt = millis(event);
    } else run.outcome = outcomeOf(event) ?? run.outcome;
  }
  return [...runs.values()];
}

export interface RunwareStep {
  /** `local`: the local activity `collectImagesLocally` (single-image jobs); `activity`: `collectImages`. */
  kind: 'local' | 'activity';
  attempt: number | undefined;
  /** Local: when it ended (worker clock); activity: when its last attempt started (server clock). */
  at: number | undefined;
  outcome: ActivityRun['outcome'];
}

interface LocalActivityMarkerData {
  attempt?: number;
  activity_type?: string;
  complete_time?: { seconds?: number; nanos?: number };
}

/**
 * A job's Runware steps in order: the local step of a single-image job (its marker), then each run of the
 * task-queue activity (which takes over from a local step that failed transiently, and does everything else).
 */
export async function runwareSteps(handle: WorkflowHandle): Promise<RunwareStep[]> {
  const history = await handle.fetchHistory();
  const steps: RunwareStep[] = [];
  for (const event of history.events ?? []) {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') continue;
    const payload = marker.details?.data?.payloads?.[0]?.data;
    const data = JSON.parse(Buffer.from(payload ?? []).toString('utf8') || '{}') as LocalActivityMarkerData;
    if (data.activity_type !== 'collectImagesLocally') continue;
    const done = data.complete_time;
    steps.push({
      kind: 'local',
      attempt: data.attempt,
      at: done ? Number(done.seconds ?? 0) * 1000 + Math.floor((done.nanos ?? 0) / 1e6) : undefined,
      outcome: marker.failure ? 'failed' : 'completed',
    });
  }
  for (const run of await activityRuns(handle, 'collectImages')) {
    steps.push({ kind: 'activity', attempt: run.attempt, at: run.startedAt, outcome: run.outcome });
  }
  return steps;
}
