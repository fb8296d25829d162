import { createHash } from 'node:crypto';
import { imageTaskUUID as derivedImageTaskUUID } from '@photomaker/runware';
import { addToSeed, type JobImage } from '@photomaker/schema';
import type { RunwareRun } from './types.ts';

// What a job sends Runware when it goes one task per image: pure functions of the job (no I/O), so every
// attempt, retry and recovery computes the same taskUUIDs and seeds.

/** New tasks for one image after its generation failed with a retryable code (each a fresh taskUUID). */
export const MAX_IMAGE_FOLLOW_UPS = 3;

/**
 * The seed of image 0 when the task has none: what Runware would pick for a numberResults task (a random
 * 32-bit seed, here drawn from the job's taskUUID so every attempt agrees), then `+ i` per image.
 */
export function baseSeed(run: RunwareRun): string {
  if (run.seed !== undefined) return run.seed;
  const word = createHash('sha256').update(`${run.taskUUID}:seed`).digest().readUInt32BE(0);
  return String((word % (2 ** 32 - 1)) + 1);
}

/** The taskUUID of image `index`'s `followUp`-th task (0: the first): derived from the job's taskUUID. */
export function imageTaskUUID(run: RunwareRun, index: number, followUp: number): string {
  return derivedImageTaskUUID(run.taskUUID, index, followUp);
}

/** The seed of image `index`: base + index, as Runware's numberResults gives result `index`. */
export function imageSeed(run: RunwareRun, index: number): string {
  return addToSeed(baseSeed(run), index);
}

/** Which image (0-based) a stored image is, from its seed; undefined when it is not one of the run's. */
export function imageIndexOf(run: RunwareRun, image: Pick<JobImage, 'seed'>): number | undefined {
  const offset = BigInt(image.seed) - BigInt(baseSeed(run));
  return offset >= 0n && offset < BigInt(run.numberResults) ? Number(offset) : undefined;
}

/** The single-image run of image `index` (task `followUp`), as the wire task is built from it. */
export function imageRun(run: RunwareRun, index: number, followUp: number): RunwareRun {
  return { taskUUID: imageTaskUUID(run, index, followUp), numberResults: 1, seed: imageSeed(run, index) };
}
