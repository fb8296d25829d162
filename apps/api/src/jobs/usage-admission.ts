import type { Logger } from '@photomaker/observability';
import { isTerminalStatus, type JobState } from '@photomaker/schema';
import type { FollowJob } from './follow-job.ts';
import type { JobReads } from './job-reads.ts';
import type { JobUsage, Reservation, TenantLimits, UsageLedger } from './usage-ledger.ts';
import { waitForJob } from './wait-for-job.ts';

/** A slot younger than this may belong to a job whose workflow is being started: never reclaimed. */
const RECLAIM_MIN_AGE_MS = 30_000;

/**
 * The ledger as submission uses it: reserve (reclaiming slots of jobs that ended without a release, once,
 * when a slot limit refuses), refund what never started, and release a started job's slots when it ends.
 */
export class UsageAdmission {
  private readonly ledger: UsageLedger;
  private readonly reads: Pick<JobReads, 'get'>;
  private readonly follow: Pick<FollowJob, 'follow'>;
  private readonly slotTtlMs: number;
  private readonly logger: Logger;

  constructor(deps: {
    ledger: UsageLedger;
    reads: Pick<JobReads, 'get'>;
    follow: Pick<FollowJob, 'follow'>;
    /** How long a job may hold its slot (its max runtime, ms): also how long its end is awaited here. */
    slotTtlMs: number;
    logger: Logger;
  }) {
    this.ledger = deps.ledger;
    this.reads = deps.reads;
    this.follow = deps.follow;
    this.slotTtlMs = deps.slotTtlMs;
    this.logger = deps.logger;
  }

  async reserve(tenant: string, limits: TenantLimits, jobs: readonly JobUsage[]): Promise<Reservation> {
    const reservation = await this.ledger.reserve(tenant, limits, jobs);
    if (reservation.ok) return reservation;
    if (reservation.refusal.limitName !== 'maxQueuedJobs') return reservation;
    const reclaimed = await this.reclaim(tenant);
    return reclaimed > 0 ? this.ledger.reserve(tenant, limits, jobs) : reservation;
  }

  async refund(jobIds: readonly string[]): Promise<void> {
    for (const jobId of jobIds) await this.ledger.refund(jobId);
  }

  /**
   * Releases the job's slots when it ends (in the background: the caller does not wait). If this process
   * dies first, `reclaim` or the slot's deadline frees it.
   */
  settleWhenDone(tenant: string, state: JobState, logger: Logger): void {
    const deps = { follow: this.follow, read: (t: string, id: string) => this.reads.get(t, id), known: true };
    waitForJob(deps, tenant, state, this.slotTtlMs, { logger })
      .then(async (final) => {
        if (isTerminalStatus(final.status)) await this.ledger.finish(state.jobId, final.cost);
      })
      .catch((error: unknown) => {
        logger.warn(
          { jobId: state.jobId, reason: error instanceof Error ? error.message : String(error) },
          'job slot not released on its end; it frees when reclaimed or at its deadline',
        );
      });
  }

  /** Frees the tenant's places of jobs the job records say have ended or do not exist. */
  private async reclaim(tenant: string): Promise<number> {
    let freed = 0;
    for (const jobId of await this.ledger.candidates(tenant, RECLAIM_MIN_AGE_MS)) {
      const state = await this.reads.get(tenant, jobId).catch(() => null);
      if (state === null || (state && !isTerminalStatus(state.status))) continue;
      await this.ledger.finish(jobId, state?.cost);
      freed++;
    }
    if (freed > 0)
      this.logger.info({ tenant, freed }, 'reclaimed slots of jobs that ended without a release');
    return freed;
  }
}
