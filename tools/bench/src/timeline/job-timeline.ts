import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { jobKey, streamKey } from '@photomaker/events';
import type { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { slotGrantedSignal, workflowIdForJob } from '@photomaker/temporal';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Redis } from 'ioredis';
import { type JobHistoryProfile, profileHistory } from '../profile/temporal-history.ts';

// One job's timeline from timestamps that exist anyway (no instrumentation): the client's clock, the API's
// job record (`createdAt`, taken just before StartWorkflowExecution), the Temporal history (server times),
// the emulator's task record (accepted/finished), the blob file's mtime, each event's `at` (made by the
// worker just before its append) and the client's receipt of the terminal item. One machine, one clock.

const { EventType } = proto.temporal.api.enums.v1;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const eventMs = (event: HistoryEvent | undefined): number => {
  const t = event?.eventTime;
  if (!t) return Number.NaN;
  return Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
};

/** Epoch ms of every point of one job; NaN where a point does not apply (no admission). */
export interface JobPoints {
  clientSent: number;
  apiCreated: number;
  mutationAnswered: number;
  workflowStarted: number;
  firstTaskStarted: number;
  slotGranted: number;
  /** The workflow task that runs the Runware step (the first, or the one after the grant). */
  stepTaskStarted: number;
  /** `submitted` event made: the step's local activity runs, its references are on Runware. */
  submittedEventAt: number;
  runwareAccepted: number;
  runwareFinished: number;
  imageStored: number;
  terminalEventAt: number;
  subscriberReceived: number;
  workflowClosed: number;
}

/** The stages the bench prints, in order: [name, from, to]. Consecutive, so they add up to the total. */
export const STAGES: readonly [string, keyof JobPoints, keyof JobPoints][] = [
  ['client -> API job created', 'clientSent', 'apiCreated'],
  ['API -> workflow started', 'apiCreated', 'workflowStarted'],
  ['started -> 1st WFT picked up', 'workflowStarted', 'firstTaskStarted'],
  ['1st WFT -> slot granted', 'firstTaskStarted', 'slotGranted'],
  ['slot granted -> step WFT picked up', 'slotGranted', 'stepTaskStarted'],
  ['step WFT -> Runware request ready', 'stepTaskStarted', 'submittedEventAt'],
  ['-> Runware call received', 'submittedEventAt', 'runwareAccepted'],
  ['Runware render (emulator)', 'runwareAccepted', 'runwareFinished'],
  ['-> image stored (blob)', 'runwareFinished', 'imageStored'],
  ['-> terminal event made', 'imageStored', 'terminalEventAt'],
  ['-> hub -> subscriber', 'terminalEventAt', 'subscriberReceived'],
];

/** Side measures, not part of the chain. */
export const EXTRA: readonly [string, keyof JobPoints, keyof JobPoints][] = [
  ['total (client send -> receive)', 'clientSent', 'subscriberReceived'],
  ['mutation round trip', 'clientSent', 'mutationAnswered'],
  ['terminal event -> workflow closed', 'terminalEventAt', 'workflowClosed'],
];

export interface TimelineSources {
  temporal: Client;
  redis: Redis;
  emulator: EmulatorAdmin;
  blobDir: string;
}

interface ClientTimes {
  jobId: string;
  runwareTaskUUID: string;
  clientSent: number;
  mutationAnswered: number;
  subscriberReceived: number;
}

function historyPoints(events: readonly HistoryEvent[]) {
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const granted = events.find(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED &&
      e.workflowExecutionSignaledEventAttributes?.signalName === slotGrantedSignal.name,
  );
  // The Runware step runs in the first workflow task that starts after the grant (or the first one).
  const stepTask = granted
    ? events.find(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED &&
          Number(e.eventId) > Number(granted.eventId),
      )
    : started;
  return {
    workflowStarted: eventMs(events[0]),
    firstTaskStarted: eventMs(started),
    slotGranted: granted ? eventMs(granted) : Number.NaN,
    stepTaskStarted: eventMs(stepTask),
    workflowClosed: eventMs(events.at(-1)),
  };
}

/** The job's events as stored: `at` of the terminal one, the blob of its first image. */
async function streamPoints(redis: Redis, jobId: string) {
  const entries = (await redis.xrange(streamKey(jobId), '-', '+')) as [string, string[]][];
  const events = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('e') + 1] ?? '{}'));
  const terminal = events.find((e) => ['succeeded', 'failed', 'cancelled'].includes(e.stage));
  const ready = events.find((e) => e.stage === 'image_ready');
  const submitted = events.find((e) => e.stage === 'submitted');
  const sha256: string | undefined = ready?.data?.image?.blob?.sha256;
  const at = (event: { at: string } | undefined) => (event ? Date.parse(event.at) : Number.NaN);
  return { terminalEventAt: at(terminal), submittedEventAt: at(submitted), sha256 };
}

/** What one job's history holds: event and task counts (exact), and its event types in order. */
export type JobHistoryCounts = Pick<
  JobHistoryProfile,
  'events' | 'workflowTasks' | 'activities' | 'localActivities' | 'patchMarkers' | 'searchAttributeUpserts'
> & { types: string[] };

function historyCounts(events: readonly HistoryEvent[]): JobHistoryCounts {
  const p = profileHistory(events);
  return {
    events: p.events,
    workflowTasks: p.workflowTasks,
    activities: p.activities,
    localActivities: p.localActivities,
    patchMarkers: p.patchMarkers,
    searchAttributeUpserts: p.searchAttributeUpserts,
    types: events.map((e) => {
      const name = (EventType[e.eventType ?? 0] ?? '?').replace('EVENT_TYPE_', '');
      const marker = e.markerRecordedEventAttributes?.markerName;
      return marker ? `${name}(${marker})` : name;
    }),
  };
}

/** Every point of one finished job, and its history's counts. */
export async function jobPoints(
  sources: TimelineSources,
  times: ClientTimes,
): Promise<{ points: JobPoints; counts: JobHistoryCounts }> {
  const { jobId } = times;
  const history = await sources.temporal.workflow.getHandle(workflowIdForJob(jobId)).fetchHistory();
  const record = await sources.redis.get(jobKey(jobId, 'record'));
  const apiCreated = record ? Date.parse(JSON.parse(record).createdAt) : Number.NaN;
  const task = await sources.emulator.task(times.runwareTaskUUID);
  const stream = await streamPoints(sources.redis, jobId);
  const blob = stream.sha256
    ? await stat(join(sources.blobDir, stream.sha256.slice(0, 2), stream.sha256)).catch(() => undefined)
    : undefined;
  const points: JobPoints = {
    clientSent: times.clientSent,
    apiCreated,
    mutationAnswered: times.mutationAnswered,
    ...historyPoints(history.events ?? []),
    runwareAccepted: task ? Date.parse(task.acceptedAt) : Number.NaN,
    runwareFinished: task?.finishedAt ? Date.parse(task.finishedAt) : Number.NaN,
    imageStored: blob ? blob.mtimeMs : Number.NaN,
    submittedEventAt: stream.submittedEventAt,
    terminalEventAt: stream.terminalEventAt,
    subscriberReceived: times.subscriberReceived,
  };
  return { points, counts: historyCounts(history.events ?? []) };
}

/** Epoch ms with sub-ms precision (performance.now on the epoch). */
export const nowMs = () => performance.timeOrigin + performance.now();
