import type { Logger } from '@photomaker/observability';
import {
  type BlobHolds,
  dueTimesOf,
  type JobDueIndex,
  type RetentionPolicy,
  referenceHoldUntil,
} from '@photomaker/retention';
import type { BlobRef } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';

/**
 * Writes down, as jobs and reference photos are stored, until when each is kept (the tenant's retention,
 * shortened by a job's `expiresIn`): the holds on reference blobs and the job's due times, which the
 * worker's retention sweep and `deleteJob` read. A failure is logged, not raised: the job runs anyway.
 */
export class JobRetention {
  private readonly holds: BlobHolds;
  private readonly due: JobDueIndex;
  private readonly policyFor: (tenant: string) => RetentionPolicy;
  private readonly logger: Logger;

  constructor(options: {
    holds: BlobHolds;
    due: JobDueIndex;
    policyFor: (tenant: string) => RetentionPolicy;
    logger: Logger;
  }) {
    this.holds = options.holds;
    this.due = options.due;
    this.policyFor = options.policyFor;
    this.logger = options.logger;
  }

  async jobStarted(input: PhotoMakerJobInput, expiresInMs?: number): Promise<void> {
    const due = dueTimesOf(this.policyFor(input.tenant), Date.parse(input.createdAt), expiresInMs);
    const blobs = input.task.inputImages.flatMap((ref) => (ref.kind === 'blob' ? [ref.blob] : []));
    try {
      // Independent writes: sent together, one round trip (see JobService.start).
      await Promise.all([
        this.holds.hold(input.tenant, `job:${input.jobId}`, blobs, due.referencesUntil),
        this.due.schedule(input.jobId, due),
      ]);
    } catch (error) {
      this.warn(error, 'job retention not recorded; deleteJob still erases it', { jobId: input.jobId });
    }
  }

  /** A reference photo stored or used: kept the tenant's reference retention from now. */
  async referenceHeld(tenant: string, id: string, blob: BlobRef): Promise<void> {
    const until = referenceHoldUntil(this.policyFor(tenant), Date.now());
    try {
      await this.holds.hold(tenant, `ref:${id}`, [blob], until);
    } catch (error) {
      this.warn(error, 'reference image retention not recorded', {});
    }
  }

  private warn(error: unknown, message: string, fields: Record<string, unknown>): void {
    this.logger.warn({ ...fields, reason: error instanceof Error ? error.message : String(error) }, message);
  }
}
