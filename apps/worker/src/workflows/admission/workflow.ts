import {
  queueStatusesQuery,
  releaseSlotSignal,
  requestSlotSignal,
  requestSlotUpdate,
  type SlotAnswer,
  slotGrantedSignal,
  workflowIdForJob,
} from '@photomaker/temporal';
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { type Forecast, forecastQueue, statusesOf } from './forecast.ts';
import { AdmissionQueue, emptyQueueState, type QueueState } from './queue.ts';

// The admission workflow (one per deployment, ADMISSION_WORKFLOW_ID): a durable queue of jobs waiting for
// a slot. Thin on purpose: the queue, its grant rule and its forecast are plain modules (queue.ts,
// lanes.ts, forecast.ts); this file feeds them signals and the clock and sends the grants.

export interface AdmissionConfig {
  /** Service time per image before anything was measured, ms. */
  defaultImageMs: number;
  /** A running job that never released its slot (terminated workflow) gets it taken back after this, ms. */
  maxHoldMs: number;
  /** History length at which the run continues as new, carrying its state (or when Temporal suggests). */
  maxHistoryEvents: number;
}

export interface AdmissionWorkflowInput {
  config?: Partial<AdmissionConfig>;
  /** The previous run's queue (continueAsNew). */
  state?: QueueState;
}

const DEFAULT_CONFIG: AdmissionConfig = {
  defaultImageMs: 10_000,
  maxHoldMs: 2 * 60 * 60_000,
  maxHistoryEvents: 4_000,
};

/** The query answers at most this many ids (the contract's bound). */
const MAX_QUERY_IDS = 500;

export async function photoMakerAdmission(input: AdmissionWorkflowInput = {}): Promise<void> {
  const config = { ...DEFAULT_CONFIG, ...input.config };
  const queue = new AdmissionQueue(input.state ?? emptyQueueState(), config.defaultImageMs);
  // Start by granting: a carried-over state may have room (releases that came with the last run's end).
  let changed = true;
  let grantsInFlight = 0;

  const sendGrant = (jobId: string, grantedAt: number) => {
    grantsInFlight += 1;
    getExternalWorkflowHandle(workflowIdForJob(jobId))
      .signal(slotGrantedSignal, { grantedAt: new Date(grantedAt).toISOString() })
      .catch(() => {
        // The job's workflow is gone (closed, terminated): its slot is free again.
        log.warn('slot grant not delivered; slot freed', { jobId });
        if (queue.release({ jobId }) !== 'unknown') changed = true;
      })
      .finally(() => {
        grantsInFlight -= 1;
      });
  };

  setHandler(requestSlotSignal, (request) => {
    const outcome = queue.request(request, Date.now());
    // A repeated request of a running job (its request activity retried): the grant may have been lost.
    const running = outcome === 'running' ? queue.state.running[request.jobId] : undefined;
    if (running) sendGrant(running.jobId, running.grantedAt);
    if (outcome === 'queued' || outcome === 'duplicate') changed = true;
  });
  // The request as an update: a job whose slot is free now gets it in the answer (no grant signal); every
  // other job this pass grants gets its signal as usual. Queued: the grant comes as a signal later.
  setHandler(requestSlotUpdate, (request): SlotAnswer => {
    const now = Date.now();
    const outcome = queue.request(request, now);
    if (outcome === 'running') {
      const running = queue.state.running[request.jobId];
      return running ? { grantedAt: new Date(running.grantedAt).toISOString() } : {};
    }
    if (outcome !== 'queued' && outcome !== 'duplicate') return {};
    let answer: SlotAnswer = {};
    for (const job of queue.grant(now)) {
      if (job.jobId === request.jobId) answer = { grantedAt: new Date(job.grantedAt).toISOString() };
      else sendGrant(job.jobId, job.grantedAt);
    }
    return answer;
  });
  setHandler(releaseSlotSignal, (release) => {
    if (queue.release(release) !== 'unknown') changed = true;
  });

  let cached: { version: number; now: number; forecast: Map<string, Forecast> } | undefined;
  const forecast = (now: number) => {
    if (cached?.version !== queue.version || cached.now !== now)
      cached = { version: queue.version, now, forecast: forecastQueue(queue.state, queue.times, now) };
    return cached.forecast;
  };
  setHandler(queueStatusesQuery, (ids) => {
    const now = Date.now();
    const wanted = Array.isArray(ids)
      ? ids.filter((id) => typeof id === 'string').slice(0, MAX_QUERY_IDS)
      : [];
    return statusesOf(
      wanted,
      queue.state,
      queue.times,
      () => forecast(now),
      now,
      (id) => queue.isQueued(id),
    );
  });

  const historyFull = () =>
    workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= config.maxHistoryEvents;

  // Slots of jobs whose release was lost: swept a few times per hold period (one timer, not one per job).
  const sweep = async () => {
    for (;;) {
      await sleep(Math.max(1_000, Math.floor(config.maxHoldMs / 4)));
      const expired = queue.expire(Date.now(), config.maxHoldMs);
      if (expired.length > 0) {
        log.warn('slots held past maxHoldMs freed', { count: expired.length });
        changed = true;
      }
    }
  };
  void sweep();

  while (!historyFull()) {
    if (changed) {
      changed = false;
      for (const job of queue.grant(Date.now())) sendGrant(job.jobId, job.grantedAt);
    }
    await condition(() => changed || historyFull());
  }
  // Every signal received so far is in the state (handlers are synchronous); grants sent are delivered
  // (or their slots freed) before the state moves on.
  await condition(() => grantsInFlight === 0 && allHandlersFinished());
  await continueAsNew<typeof photoMakerAdmission>({
    ...(input.config ? { config: input.config } : {}),
    state: queue.state,
  });
}
