import type { BlobStore } from '@photomaker/blobstore';
import {
  deleteMany,
  jobKey,
  type KeyLayout,
  layoutOf,
  OutputOwners,
  type RedisClient,
} from '@photomaker/events';
import type { BlobRef, JobState } from '@photomaker/schema';
import type { Client } from '@temporalio/client';
import { BlobHolds, uniqueBlobs } from './blob-holds.ts';
import { referenceImageKey } from './blob-keys.ts';
import { JobDueIndex } from './job-due.ts';
import { deleteJobWorkflow } from './temporal-jobs.ts';

/** How long an erased job's marker outlives it: Temporal's asynchronous deletion takes seconds. */
export const ERASED_MARKER_TTL_SECONDS = 24 * 3600;

/** Set once a job is erased: reads answer not found even while Temporal still deletes it. */
export const erasedJobKey = (jobId: string, layout: KeyLayout = 'single') => jobKey(jobId, 'erased', layout);

/** What one job holds: the blobs of its reference photos and its outputs (with their Runware UUIDs). */
export interface JobContents {
  tenant: string;
  jobId: string;
  references: BlobRef[];
  outputs: { imageUUID: string; blob: BlobRef }[];
}

export function contentsOf(state: JobState): JobContents {
  return {
    tenant: state.tenant,
    jobId: state.jobId,
    references: state.task.inputImages.flatMap((ref) => (ref.kind === 'blob' ? [ref.blob] : [])),
    outputs: state.images.map((image) => ({ imageUUID: image.imageUUID, blob: image.blob })),
  };
}

/** What an erasure removed (counts and kinds only: nothing that names a face). */
export interface ErasureReport {
  /** Output images whose bytes were deleted. */
  outputImages: number;
  /** Reference photos whose bytes were deleted (nothing else held them). */
  referenceImages: number;
  /** Reference photos kept: another live job or reference image still holds them. */
  referenceImagesKept: number;
  /** Cached Runware upload ids dropped with their photos. */
  runwareUploads: number;
  /** Redis keys removed (event stream, job record, owner keys, cancel flag). */
  redisKeys: number;
  /** The workflow execution: deleted now, absent (gone already), or left for later (not closed yet). */
  workflow: 'deleted' | 'absent' | 'pending';
}

export const emptyReport = (): ErasureReport => ({
  outputImages: 0,
  referenceImages: 0,
  referenceImagesKept: 0,
  runwareUploads: 0,
  redisKeys: 0,
  workflow: 'absent',
});

/**
 * Erases a job, or only its outputs (retention). Each step is idempotent and the order makes a crash
 * harmless: bytes and their keys first, then Temporal, the job's own Redis keys last, so a retry still
 * finds the job and finishes the rest.
 */
export class JobEraser {
  private readonly redis: RedisClient;
  private readonly blobs: Pick<BlobStore, 'delete'>;
  private readonly temporal: Client;
  readonly holds: BlobHolds;
  readonly due: JobDueIndex;
  private readonly owners: OutputOwners;

  constructor(options: { redis: RedisClient; blobs: Pick<BlobStore, 'delete'>; temporal: Client }) {
    this.redis = options.redis;
    this.blobs = options.blobs;
    this.temporal = options.temporal;
    this.holds = new BlobHolds(options.redis);
    this.due = new JobDueIndex(options.redis);
    this.owners = new OutputOwners(options.redis);
  }

  /** Deletes the bytes of a blob nothing holds any more, and the Runware upload cached for them. */
  async releaseBlob(
    blob: Pick<BlobRef, 'sha256' | 'size'>,
    by?: Parameters<BlobHolds['release']>[1],
  ): Promise<{ freed: boolean; runwareUploads: number }> {
    const { freed, dropped } = await this.holds.release(blob, by);
    // A reference image whose hold lapsed (retention) goes with it, whether or not the bytes do.
    const lapsedReferences = dropped.filter((hold) => hold.holder.startsWith('ref:'));
    for (const hold of lapsedReferences) {
      await this.redis.del(referenceImageKey(hold.tenant, hold.holder.slice('ref:'.length)));
    }
    if (!freed) return { freed: false, runwareUploads: 0 };
    await this.blobs.delete(blob.sha256);
    return { freed: true, runwareUploads: await this.holds.forgetRunwareUpload(blob.sha256) };
  }

  /** The job's output images: bytes (unless a reference image holds the same bytes) and owner keys. */
  async eraseOutputs(contents: JobContents, report = emptyReport()): Promise<ErasureReport> {
    for (const blob of uniqueBlobs(contents.outputs.map((output) => output.blob))) {
      if ((await this.releaseBlob(blob)).freed) report.outputImages += 1;
    }
    const uuids = contents.outputs.map((output) => output.imageUUID);
    report.redisKeys += await this.owners.forget(contents.jobId, uuids);
    return report;
  }

  /**
   * The whole job. `closed`: its workflow is closed (or gone), so Temporal can delete it; otherwise the
   * workflow is left for a later erasure (`pending`) and everything else goes now.
   */
  async eraseJob(contents: JobContents, closed: boolean): Promise<ErasureReport> {
    const report = await this.eraseOutputs(contents);
    const by = { tenant: contents.tenant, holder: `job:${contents.jobId}` as const };
    for (const blob of uniqueBlobs(contents.references)) {
      const released = await this.releaseBlob(blob, by);
      report.runwareUploads += released.runwareUploads;
      if (released.freed) report.referenceImages += 1;
      else report.referenceImagesKept += 1;
    }
    if (!closed) {
      report.workflow = 'pending';
      await this.due.postpone('job', contents.jobId, Date.now());
      return report;
    }
    const layout = layoutOf(this.redis);
    // Temporal deletes history and visibility asynchronously: until it has, reads that fall back to
    // Temporal must not bring the job back (JobReads checks this marker, which names only the job id).
    await this.redis.set(erasedJobKey(contents.jobId, layout), '1', 'EX', ERASED_MARKER_TTL_SECONDS);
    report.workflow = await deleteJobWorkflow(this.temporal, contents.jobId);
    // `cancel`: the worker's cancel flag (CancelRequests), set when a running or queued job was deleted.
    const keys = ['events', 'record', 'tenant', 'cancel'].map((part) => jobKey(contents.jobId, part, layout));
    report.redisKeys += await deleteMany(this.redis, keys);
    await this.due.forget(contents.jobId);
    return report;
  }
}
