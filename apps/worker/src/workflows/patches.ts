import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { patched } from '@temporalio/workflow';

// Workflow code. Each `patched()` of a new job costs two history events (its marker, and the
// TemporalChangeVersion search attribute Temporal's SDK upserts with it). A job started by this code
// records one marker, JOB_PATCHES, and takes every patch below as applied without a marker of its own;
// histories from before it (no JOB_PATCHES marker at their start) ask each patch as they always did.

/**
 * Every patch of the job workflow up to this one: local-runware-step, per-image-tasks, cancel-in-backoff,
 * regenerate-below, reference-check, likeness-score, webhook-events, usage-record, admission-queue,
 * admission-request-settles, admission-request-update, admission-release-local. A later patch is asked on its own (patched()).
 */
const JOB_PATCHES = 'job-patches-2026-12';

/** Per job (its input object): whether it started with JOB_PATCHES. Keyed, so no state is shared. */
const started = new WeakMap<PhotoMakerJobInput, boolean>();

/** At the job's start (its first activation, before any other patch): one marker for the new ones. */
export function startJobPatches(input: PhotoMakerJobInput): void {
  started.set(input, patched(JOB_PATCHES));
}

/** `patched(id)` for one of the patches JOB_PATCHES covers. */
export function jobPatched(input: PhotoMakerJobInput, id: string): boolean {
  return started.get(input) === true || patched(id);
}
