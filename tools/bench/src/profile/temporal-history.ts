import { workflowIdForJob } from '@photomaker/temporal';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { type Distribution, distribution, rounded } from '../stats/percentiles.ts';

// A CommonJS module: Node's ESM loader exposes it as the default export only.
const { EventType } = proto.temporal.api.enums.v1;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const ms = (event: HistoryEvent | undefined): number => {
  const t = event?.eventTime;
  if (!t) return Number.NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
};

export interface JobHistoryProfile {
  events: number;
  workflowTasks: number;
  activities: number;
  localActivities: number;
  /** `patched()` markers (workflow versioning), not local activities. */
  patchMarkers: number;
  searchAttributeUpserts: number;
  /** Start to close, server clock. */
  workflowMs: number;
  /** Sum over workflow tasks of scheduled -> started (waiting for a worker poll). */
  wftQueueMs: number;
  /** Of that, the first workflow task (the start reaching a worker). */
  firstWftQueueMs: number;
  /** Sum over workflow tasks of started -> completed (worker code incl. local activities). */
  wftRunMs: number;
  /** Sum over activities of scheduled -> started. */
  activityQueueMs: number;
  /** Sum over activities of started -> completed (the Runware call, download, blob store, events). */
  activityRunMs: number;
  /** What is left: time between a task completing and the next being scheduled (server bookkeeping). */
  otherMs: number;
}

/** Where one job's time went, from its Temporal history (server timestamps; counts are exact). */
export function profileHistory(events: readonly HistoryEvent[]): JobHistoryProfile {
  const byId = new Map<number, HistoryEvent>();
  for (const event of events) byId.set(Number(event.eventId), event);
  const profile: JobHistoryProfile = {
    events: events.length,
    workflowTasks: 0,
    activities: 0,
    localActivities: 0,
    patchMarkers: 0,
    searchAttributeUpserts: 0,
    workflowMs: ms(events.at(-1)) - ms(events[0]),
    wftQueueMs: 0,
    firstWftQueueMs: Number.NaN,
    wftRunMs: 0,
    activityQueueMs: 0,
    activityRunMs: 0,
    otherMs: 0,
  };
  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const scheduled = byId.get(Number(event.workflowTaskStartedEventAttributes?.scheduledEventId));
        profile.wftQueueMs += ms(event) - ms(scheduled);
        if (Number.isNaN(profile.firstWftQueueMs)) profile.firstWftQueueMs = ms(event) - ms(scheduled);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        profile.workflowTasks += 1;
        const started = byId.get(Number(event.workflowTaskCompletedEventAttributes?.startedEventId));
        profile.wftRunMs += ms(event) - ms(started);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const scheduled = byId.get(Number(event.activityTaskStartedEventAttributes?.scheduledEventId));
        profile.activityQueueMs += ms(event) - ms(scheduled);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        profile.activities += 1;
        const started = byId.get(Number(event.activityTaskCompletedEventAttributes?.startedEventId));
        profile.activityRunMs += ms(event) - ms(started);
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (event.markerRecordedEventAttributes?.markerName === 'core_patch') profile.patchMarkers += 1;
        else profile.localActivities += 1;
        break;
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
        profile.searchAttributeUpserts += 1;
        break;
      default:
        break;
    }
  }
  profile.otherMs = Math.max(
    0,
    profile.workflowMs -
      profile.wftQueueMs -
      profile.wftRunMs -
      profile.activityQueueMs -
      profile.activityRunMs,
  );
  return profile;
}

export interface HistorySummary {
  jobs: number;
  perJob: {
    events: number;
    workflowTasks: number;
    activities: number;
    localActivities: number;
    patchMarkers: number;
    searchAttributeUpserts: number;
  };
  /** Distributions (ms) across the sampled jobs. */
  workflowMs: Distribution;
  wftQueueMs: Distribution;
  firstWftQueueMs: Distribution;
  wftRunMs: Distribution;
  activityQueueMs: Distribution;
  activityRunMs: Distribution;
  otherMs: Distribution;
}

/** Fetches the histories of `jobIds` (a sample) and summarizes where the time went. */
export async function summarizeHistories(
  temporalAddress: string,
  jobIds: readonly string[],
): Promise<HistorySummary | undefined> {
  if (jobIds.length === 0) return undefined;
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const client = new Client({ connection });
    const profiles: JobHistoryProfile[] = [];
    for (const jobId of jobIds) {
      const history = await client.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
      profiles.push(profileHistory(history.events ?? []));
    }
    const avg = (pick: (p: JobHistoryProfile) => number) =>
      Math.round((profiles.reduce((sum, p) => sum + pick(p), 0) / profiles.length) * 10) / 10;
    const dist = (pick: (p: JobHistoryProfile) => number) => rounded(distribution(profiles.map(pick)));
    return {
      jobs: profiles.length,
      perJob: {
        events: avg((p) => p.events),
        workflowTasks: avg((p) => p.workflowTasks),
        activities: avg((p) => p.activities),
        localActivities: avg((p) => p.localActivities),
        patchMarkers: avg((p) => p.patchMarkers),
        searchAttributeUpserts: avg((p) => p.searchAttributeUpserts),
      },
      workflowMs: dist((p) => p.workflowMs),
      wftQueueMs: dist((p) => p.wftQueueMs),
      firstWftQueueMs: dist((p) => p.firstWftQueueMs),
      wftRunMs: dist((p) => p.wftRunMs),
      activityQueueMs: dist((p) => p.activityQueueMs),
      activityRunMs: dist((p) => p.activityRunMs),
      otherMs: dist((p) => p.otherMs),
    };
  } finally {
    await connection.close();
  }
}
