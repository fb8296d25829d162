import type { Logger } from '@photomaker/observability';
import { contentsOf, type ErasureReport, emptyReport, type JobEraser } from '@photomaker/retention';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { JobReads } from './job-reads.ts';
import type { JobService } from './job-service.ts';
import type { ReferenceImageRegistry } from './reference-images.ts';
import type { UsageLedger } from './usage-ledger.ts';

/** How long deleteJob waits for a cancelled job's workflow to close before leaving it to the sweep. */
const CLOSE_WAIT_MS = 20_000;

export interface ErasureOptions {
  client: Client;
  reads: Pick<JobReads, 'get' | 'describe'>;
  registry: Pick<ReferenceImageRegistry, 'peek' | 'remove'>;
  eraser: JobEraser;
  logger: Logger;
  /** A running or queued job is cancelled the way cancelJob does it (the worker's Redis flag first). */
  jobs: Pick<JobService, 'cancel'>;
  /** The job's place among its tenant's open jobs, freed once it has closed (its follower may be gone). */
  ledger: Pick<UsageLedger, 'finish'>;
  closeWaitMs?: number;
}

/**
 * A tenant's erasure requests: `deleteJob` and `deleteReferenceImage`. Both answer undefined (not found)
 * for an id that is not the tenant's, erasing nothing; both can be repeated (a second call finds nothing
 * left, a call cut short is finished by the next). The work itself is @photomaker/retention's JobEraser,
 * the same the retention sweep uses.
 */
export class Erasure {
  private readonly options: ErasureOptions;

  constructor(options: ErasureOptions) {
    this.options = options;
  }

  async deleteJob(tenant: string, jobId: string): Promise<ErasureReport | undefined> {
    const { reads, eraser, logger } = this.options;
    const before = await reads.get(tenant, jobId);
    if (!before) return undefined;
    let description = await reads.describe(tenant, jobId);
    // Queued or running: cancelled first. A queued job's workflow leaves the admission queue as it ends
    // (JobSlot.release), a running one gives its slot back and its per-image run stops sending.
    if (description?.status.name === 'RUNNING')
      description = await this.cancelAndWait(tenant, jobId, description);
    // Read again once closed: the outputs it stored before the cancellation reached it go too.
    const state = (await reads.get(tenant, jobId)) ?? before;
    const closed = description?.status.name !== 'RUNNING';
    // Idempotent (the ledger's record of the job goes with it); the API that followed the job may
    // release it too, or never (gone), so it is not left to the slot's deadline.
    if (closed) await this.options.ledger.finish(jobId, state.cost);
    const report = await eraser.eraseJob({ ...contentsOf(state), tenant }, closed);
    logger.info({ jobId, ...report }, 'job erased');
    return report;
  }

  async deleteReferenceImage(tenant: string, id: string): Promise<ErasureReport | undefined> {
    const { registry, eraser, logger } = this.options;
    const stored = await registry.peek(tenant, id);
    if (!stored) return undefined;
    const report = emptyReport();
    const released = await eraser.releaseBlob(stored.blob, { tenant, holder: `ref:${stored.id}` });
    await registry.remove(tenant, stored.id);
    report.redisKeys += 1;
    report.runwareUploads += released.runwareUploads;
    if (released.freed) report.referenceImages += 1;
    else report.referenceImagesKept += 1;
    logger.info({ ...report }, 'reference image erased');
    return report;
  }

  /** Cancels the job and waits (bounded) for its workflow to close; the description after that. */
  private async cancelAndWait(
    tenant: string,
    jobId: string,
    running: WorkflowExecutionDescription,
  ): Promise<WorkflowExecutionDescription> {
    const handle = this.options.client.workflow.getHandle(running.workflowId, running.runId);
    await this.options.jobs.cancel(tenant, jobId);
    const deadline = Date.now() + (this.options.closeWaitMs ?? CLOSE_WAIT_MS);
    let description = running;
    while (description.status.name === 'RUNNING' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      description = await handle.describe();
    }
    return description;
  }
}
