import {
  JOB_PRIORITIES,
  type JobPriority,
  type ServiceKey,
  type SlotRelease,
  type SlotRequest,
} from '@photomaker/temporal';
import { fitsBudget, insertQueued, type Lane, type LaneView, pickLane, type QueuedJob } from './lanes.ts';
import { emptyServiceTimes, ServiceTimes, type ServiceTimesState } from './service-times.ts';

// Workflow-safe, no Temporal imports: the admission queue's state and its transitions. The workflow
// (workflow.ts) only feeds it signals and the clock, and sends the grants it returns.

export interface RunningJob {
  jobId: string;
  tenant: string;
  weight: number;
  service: ServiceKey;
  /** ms since the epoch. */
  grantedAt: number;
}

/** Plain data: what continueAsNew carries to the next run. */
export interface QueueState {
  lanes: Record<string, Lane>;
  running: Record<string, RunningJob>;
  /** The deployment's budget toward Runware, from the latest request; undefined: none. */
  maxInFlight?: number | undefined;
  /** Arrivals (jobs and tenants) and grants so far: order counters, never reset. */
  seq: number;
  grants: number;
  times: ServiceTimesState;
}

export const emptyQueueState = (): QueueState => ({
  lanes: {},
  running: {},
  seq: 0,
  grants: 0,
  times: emptyServiceTimes(),
});

/** What a request did: queued it, found it queued already, or found it running (send its grant again). */
export type RequestOutcome = 'queued' | 'duplicate' | 'running' | 'invalid';
/** What a release did: freed a running slot, took a queued job out, or nothing (unknown job). */
export type ReleaseOutcome = 'freed' | 'dequeued' | 'unknown';

const PRIORITIES: ReadonlySet<string> = new Set(JOB_PRIORITIES);
const isLimit = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const str = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function serviceOf(raw: Partial<ServiceKey> | undefined): ServiceKey {
  const num = (value: unknown) => (Number.isInteger(value) && (value as number) > 0 ? (value as number) : 1);
  return {
    model: typeof raw?.model === 'string' ? raw.model : '',
    width: num(raw?.width),
    height: num(raw?.height),
    numberResults: num(raw?.numberResults),
  };
}

/**
 * Per tenant a lane of queued jobs (HIGH > NORMAL > LOW, FIFO within one), and one running set with
 * weights. Idempotent: a job id is queued or running at most once, whatever signals repeat.
 */
export class AdmissionQueue {
  readonly state: QueueState;
  readonly times: ServiceTimes;
  /** jobId -> tenant of every queued job (derived, rebuilt on load). */
  private readonly queuedTenant = new Map<string, string>();
  private inFlight = 0;
  /** Bumped by every change: what the forecast cache is keyed by. */
  version = 0;

  constructor(state: QueueState, defaultImageMs: number) {
    this.state = state;
    this.times = new ServiceTimes(state.times, defaultImageMs);
    for (const [tenant, lane] of Object.entries(state.lanes))
      for (const job of lane.queued) this.queuedTenant.set(job.jobId, tenant);
    for (const job of Object.values(state.running)) this.inFlight += job.weight;
  }

  get queuedCount(): number {
    return this.queuedTenant.size;
  }

  get runningCount(): number {
    return Object.keys(this.state.running).length;
  }

  get inFlightWeight(): number {
    return this.inFlight;
  }

  isQueued(jobId: string): boolean {
    return this.queuedTenant.has(jobId);
  }

  /** A job asks for a slot. Malformed requests (no job id or tenant) are dropped: signals are input too. */
  request(raw: SlotRequest, now: number): RequestOutcome {
    if (!str(raw?.jobId) || !str(raw.tenant)) return 'invalid';
    if (this.state.running[raw.jobId]) return 'running';
    const lane = this.laneOf(raw.tenant);
    // The latest request carries the current limits (a reloaded tenants file reaches the queue this way).
    lane.maxRunningJobs = isLimit(raw.maxRunningJobs) ? raw.maxRunningJobs : undefined;
    this.state.maxInFlight = isLimit(raw.maxInFlight) ? raw.maxInFlight : undefined;
    this.version += 1;
    if (this.queuedTenant.has(raw.jobId)) return 'duplicate';
    const requestedAt = Date.parse(raw.requestedAt);
    const job: QueuedJob = {
      jobId: raw.jobId,
      tenant: raw.tenant,
      priority: PRIORITIES.has(raw.priority) ? (raw.priority as JobPriority) : 'NORMAL',
      weight: Number.isInteger(raw.weight) && raw.weight > 0 ? raw.weight : 1,
      service: serviceOf(raw.service),
      requestedAt: Number.isFinite(requestedAt) ? requestedAt : now,
      seq: this.nextSeq(),
    };
    insertQueued(lane.queued, job);
    this.queuedTenant.set(job.jobId, job.tenant);
    return 'queued';
  }

  /** A job gives its slot back (or leaves the queue before it got one). Unknown ids are ignored. */
  release(raw: SlotRelease): ReleaseOutcome {
    if (!str(raw?.jobId)) return 'unknown';
    const running = this.state.running[raw.jobId];
    if (running) {
      if (typeof raw.ranMs === 'number') this.times.record(running.service, raw.ranMs);
      this.free(running);
      return 'freed';
    }
    const tenant = this.queuedTenant.get(raw.jobId);
    if (tenant === undefined) return 'unknown';
    const lane = this.state.lanes[tenant];
    if (lane) lane.queued = lane.queued.filter((job) => job.jobId !== raw.jobId);
    this.queuedTenant.delete(raw.jobId);
    this.prune(tenant);
    this.version += 1;
    return 'dequeued';
  }

  /** Starts every job the grant rule allows now, in grant order; the caller signals each one. */
  grant(now: number): RunningJob[] {
    const granted: RunningJob[] = [];
    const views = () => Object.values(this.state.lanes).map((lane): LaneView => ({ lane, head: 0 }));
    for (;;) {
      const view = pickLane(views());
      const job = view?.lane.queued[0];
      if (!view || !job || !fitsBudget(this.inFlight, job.weight, this.state.maxInFlight)) break;
      view.lane.queued.shift();
      this.queuedTenant.delete(job.jobId);
      view.lane.running += 1;
      this.state.grants += 1;
      view.lane.lastServed = this.state.grants;
      this.inFlight += job.weight;
      const running = {
        jobId: job.jobId,
        tenant: job.tenant,
        weight: job.weight,
        service: job.service,
        grantedAt: now,
      };
      this.state.running[job.jobId] = running;
      granted.push(running);
    }
    if (granted.length > 0) this.version += 1;
    return granted;
  }

  /** Running jobs held longer than `maxHoldMs` (a job whose release was lost): freed, ids returned. */
  expire(now: number, maxHoldMs: number): string[] {
    const expired = Object.values(this.state.running).filter((job) => now - job.grantedAt >= maxHoldMs);
    for (const job of expired) this.free(job);
    return expired.map((job) => job.jobId);
  }

  /** When the oldest running job's hold expires (ms since the epoch); undefined: nothing runs. */
  nextExpiry(maxHoldMs: number): number | undefined {
    let first: number | undefined;
    for (const job of Object.values(this.state.running))
      if (first === undefined || job.grantedAt < first) first = job.grantedAt;
    return first === undefined ? undefined : first + maxHoldMs;
  }

  private free(job: RunningJob): void {
    delete this.state.running[job.jobId];
    this.inFlight -= job.weight;
    const lane = this.state.lanes[job.tenant];
    if (lane) lane.running = Math.max(0, lane.running - 1);
    this.prune(job.tenant);
    this.version += 1;
  }

  private laneOf(tenant: string): Lane {
    let lane = this.state.lanes[tenant];
    if (!lane) {
      lane = { queued: [], running: 0, lastServed: -1, firstSeen: this.nextSeq() };
      this.state.lanes[tenant] = lane;
    }
    return lane;
  }

  /** A tenant with nothing queued or running leaves the state (bounded by the active tenants). */
  private prune(tenant: string): void {
    const lane = this.state.lanes[tenant];
    if (lane && lane.queued.length === 0 && lane.running === 0) delete this.state.lanes[tenant];
  }

  private nextSeq(): number {
    this.state.seq += 1;
    return this.state.seq;
  }
}
