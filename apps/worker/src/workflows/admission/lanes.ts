import type { JobPriority, ServiceKey } from '@photomaker/temporal';

// Workflow-safe, no Temporal imports: the grant rule, shared by the queue (what it grants now) and the
// forecast (what it will grant next), so a queue position is the order the queue really follows.

export interface QueuedJob {
  jobId: string;
  tenant: string;
  priority: JobPriority;
  weight: number;
  service: ServiceKey;
  /** ms since the epoch: FIFO within one tenant and priority. */
  requestedAt: number;
  /** Arrival order: the tie-break when two jobs were accepted in the same ms. */
  seq: number;
}

/** One tenant's waiting jobs (sorted: the next to start first) and its share of the running set. */
export interface Lane {
  /** The tenant's limit, from its latest request; undefined: no tenant limit. */
  maxRunningJobs?: number | undefined;
  queued: QueuedJob[];
  running: number;
  /** The grant counter when this tenant was last granted a slot (-1: never): least recently served first. */
  lastServed: number;
  /** Arrival order of the tenant: the tie-break between tenants never served. */
  firstSeen: number;
}

const RANK: Record<JobPriority, number> = { HIGH: 0, NORMAL: 1, LOW: 2 };

/** Whether `a` starts before `b` within one tenant: priority, then acceptance time, then arrival. */
export function startsBefore(a: QueuedJob, b: QueuedJob): boolean {
  if (RANK[a.priority] !== RANK[b.priority]) return RANK[a.priority] < RANK[b.priority];
  if (a.requestedAt !== b.requestedAt) return a.requestedAt < b.requestedAt;
  return a.seq < b.seq;
}

/** Inserts keeping the lane's order (binary search: a flooded lane holds thousands). */
export function insertQueued(queue: QueuedJob[], job: QueuedJob): void {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (startsBefore(queue[mid] as QueuedJob, job)) low = mid + 1;
    else high = mid;
  }
  queue.splice(low, 0, job);
}

/** A lane as the grant rule sees it: `head` is the index of its next job (the forecast walks, never shifts). */
export interface LaneView {
  lane: Lane;
  head: number;
}

/**
 * The grant rule's choice of tenant: among tenants with a queued job and below their maxRunningJobs, the
 * least recently served (round-robin by service, so a flooder's 1,000 jobs take turns with a lone
 * tenant's one). Undefined: nobody may start.
 */
export function pickLane<V extends LaneView>(views: Iterable<V>): V | undefined {
  let best: V | undefined;
  for (const view of views) {
    const { lane } = view;
    if (view.head >= lane.queued.length) continue;
    if (lane.maxRunningJobs !== undefined && lane.running >= lane.maxRunningJobs) continue;
    if (
      !best ||
      lane.lastServed < best.lane.lastServed ||
      (lane.lastServed === best.lane.lastServed && lane.firstSeen < best.lane.firstSeen)
    )
      best = view;
  }
  return best;
}

/**
 * Whether a job of `weight` fits the global budget. A job heavier than the whole budget runs alone
 * rather than never. The head of the chosen lane waits for room (no smaller job overtakes it: that would
 * starve heavy jobs).
 */
export function fitsBudget(inFlight: number, weight: number, maxInFlight: number | undefined): boolean {
  if (maxInFlight === undefined || inFlight === 0) return true;
  return inFlight + weight <= maxInFlight;
}
