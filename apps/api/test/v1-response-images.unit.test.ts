import type { JobImage, JobState } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { reportedImages } from '../src/gateway/v1/response-images.ts';
import { queuedJob } from './support/in-process.ts';

// What /v1 getResponse reports of a job's images while regenerateBelow may still replace some of them.

function image(index: number, belowMinLikeness?: boolean): JobImage {
  return {
    index,
    imageUUID: `img-${index}`,
    seed: String(100 + index),
    width: 512,
    height: 512,
    outputFormat: 'PNG',
    blob: { sha256: String(index).repeat(64).slice(0, 64), mediaType: 'image/png', size: 10 },
    ...(belowMinLikeness !== undefined ? { likeness: belowMinLikeness ? 0.2 : 0.8, belowMinLikeness } : {}),
  };
}

function job(status: JobState['status'], images: JobImage[], extra: Partial<JobState> = {}): JobState {
  const base = queuedJob();
  return { ...base, status, images, task: { ...base.task, numberResults: 2 }, ...extra };
}

const indexes = (images: JobImage[]) => images.map((i) => i.index);
const regen = { minLikeness: 0.5, regenerateBelow: 2 };

describe('getResponse images of a job with regenerateBelow', () => {
  it('while it runs: holds back images below minLikeness or not scored yet, as processing', async () => {
    const scoring = reportedImages(job('RUNNING', [image(0), image(1)], regen));
    expect(scoring).toEqual({ done: [], pending: 2 });
    const oneBelow = reportedImages(job('RUNNING', [image(0, true), image(1, false)], regen));
    expect(indexes(oneBelow.done)).toEqual([1]);
    expect(oneBelow.pending).toBe(1);
    // Its extra image arrived and passes: a client polling for two successful items now has them.
    const extra = reportedImages(job('RUNNING', [image(0, true), image(1, false), image(2, false)], regen));
    expect(indexes(extra.done)).toEqual([1, 2]);
    expect(extra.pending).toBe(1);
  });

  it('once it ended: every image, those that pass first, so the first numberResults are its best', async () => {
    const ended = reportedImages(
      job('SUCCEEDED', [image(0, true), image(1, false), image(2, true), image(3, false)], regen),
    );
    expect(indexes(ended.done)).toEqual([1, 3, 0, 2]);
    expect(ended.pending).toBe(0);
    const cancelled = reportedImages(job('CANCELLED', [image(0, true)], regen));
    expect(indexes(cancelled.done)).toEqual([0]);
    expect(cancelled.pending).toBe(1);
  });

  it('without regenerateBelow: every image as it comes, in index order', async () => {
    const running = reportedImages(job('RUNNING', [image(1, false), image(0)], { minLikeness: 0.5 }));
    expect(indexes(running.done)).toEqual([0, 1]);
    expect(running.pending).toBe(0);
    expect(reportedImages(job('RUNNING', [])).pending).toBe(2);
  });
});
