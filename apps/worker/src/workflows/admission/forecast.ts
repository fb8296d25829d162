import type { QueueStatus } from '@photomaker/temporal';
import { fitsBudget, type Lane, type LaneView, pickLane } from './lanes.ts';
import type { QueueState } from './queue.ts';
import type { ServiceTimes } from './service-times.ts';

// Workflow-safe, no Temporal imports: queue positions and estimated start/finish times, by replaying the
// grant rule (lanes.ts) forward in time with the measured service times (service-times.ts). Approximate
// where reality differs from the averages (jobs end sooner or later); exact in order otherwise.

/** Grants simulated at most: positions beyond it are left out (a queue that long has no useful ETA). */
export const FORECAST_LIMIT = 20_000;

export interface Forecast {
  position: number;
  startAt: number;
  finishAt: number;
}

interface SimView extends LaneView {
  lane: Lane;
}

interface Finish {
  at: number;
  view: SimView;
  weight: number;
}

function insertFinish(finishes: Finish[], finish: Finish): void {
  let low = 0;
  let high = finishes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((finishes[mid] as Finish).at <= finish.at) low = mid + 1;
    else high = mid;
  }
  finishes.splice(low, 0, finish);
}

/** Copies of the lanes the simulation may change (counters only; the queued arrays are shared, read-only). */
function simulationLanes(state: QueueState): Map<string, SimView> {
  const views = new Map<string, SimView>();
  for (const [tenant, lane] of Object.entries(state.lanes)) views.set(tenant, { lane: { ...lane }, head: 0 });
  return views;
}

/**
 * Every queued job's forecast: its 1-based position in the order the grant rule will start the queued
 * jobs, and when it starts and ends if every job takes its estimated service time. Running jobs are
 * expected to end at grant + estimate, or now if overdue.
 */
export function forecastQueue(state: QueueState, times: ServiceTimes, now: number): Map<string, Forecast> {
  const views = simulationLanes(state);
  const finishes: Finish[] = [];
  let inFlight = 0;
  for (const job of Object.values(state.running)) {
    const view = views.get(job.tenant);
    if (!view) continue;
    inFlight += job.weight;
    insertFinish(finishes, {
      at: Math.max(now, job.grantedAt + times.estimate(job.service)),
      view,
      weight: job.weight,
    });
  }
  const result = new Map<string, Forecast>();
  let clock = now;
  let grants = state.grants;
  while (result.size < FORECAST_LIMIT) {
    const view = pickLane(views.values());
    const job = view?.lane.queued[view.head];
    if (view && job && fitsBudget(inFlight, job.weight, state.maxInFlight)) {
      const finishAt = clock + times.estimate(job.service);
      result.set(job.jobId, { position: result.size + 1, startAt: clock, finishAt });
      view.head += 1;
      view.lane.running += 1;
      grants += 1;
      view.lane.lastServed = grants;
      inFlight += job.weight;
      insertFinish(finishes, { at: finishAt, view, weight: job.weight });
      continue;
    }
    // Nothing may start now: time moves to the next expected end (none: the rest never starts).
    const next = finishes.shift();
    if (!next) break;
    clock = Math.max(clock, next.at);
    next.view.lane.running -= 1;
    inFlight -= next.weight;
  }
  return result;
}

/** The statuses `queueStatusesQuery` answers: running jobs with their estimates, queued with position. */
export function statusesOf(
  ids: readonly string[],
  state: QueueState,
  times: ServiceTimes,
  forecast: () => Map<string, Forecast>,
  now: number,
  isQueued: (jobId: string) => boolean,
): QueueStatus[] {
  const statuses: QueueStatus[] = [];
  for (const jobId of ids) {
    const running = state.running[jobId];
    if (running) {
      const finishAt = Math.max(now, running.grantedAt + times.estimate(running.service));
      statuses.push({
        jobId,
        state: 'running',
        estimatedStartAt: new Date(running.grantedAt).toISOString(),
        estimatedFinishAt: new Date(finishAt).toISOString(),
      });
      continue;
    }
    const queued = forecast().get(jobId);
    if (queued) {
      statuses.push({
        jobId,
        state: 'queued',
        position: queued.position,
        estimatedStartAt: new Date(queued.startAt).toISOString(),
        estimatedFinishAt: new Date(queued.finishAt).toISOString(),
      });
    } else if (isQueued(jobId)) {
      // Queued, but past the forecast's horizon or behind a limit that lets nothing start.
      statuses.push({ jobId, state: 'queued' });
    }
  }
  return statuses;
}
