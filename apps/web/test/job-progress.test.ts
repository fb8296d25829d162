import { describe, expect, it } from 'vitest';
import type { Job, JobEvent, JobImage } from '../src/api/operations.ts';
import {
  applyJobEvent,
  byLikeness,
  EMPTY_PROGRESS,
  progressFromJob,
  timeline,
} from '../src/jobs/job-progress.ts';

const at = (s: number) => `2026-11-24T10:00:${String(s).padStart(2, '0')}.000Z`;

const image = (index: number): JobImage => ({
  index,
  url: `http://127.0.0.1:4000/images/${index}.jpg`,
  imageUUID: `uuid-${index}`,
  seed: String(100 + index),
  width: 896,
  height: 1152,
  outputFormat: 'JPG',
  mediaType: 'image/jpeg',
  size: 1234,
  cost: 0.002,
  nsfw: null,
  likeness: null,
  faceFound: null,
  belowMinLikeness: null,
});

const job = (patch: Partial<Job> = {}): Job => ({
  id: 'job-1',
  status: 'QUEUED',
  stage: 'QUEUED',
  seq: 1,
  cost: null,
  createdAt: at(0),
  startedAt: null,
  finishedAt: null,
  cancelAt: null,
  queuePosition: null,
  estimatedStartAt: null,
  estimatedFinishAt: null,
  traceId: null,
  error: null,
  images: [],
  referenceWarnings: null,
  timings: { queuedMs: null, uploadMs: null, generateMs: null, deliverMs: null, totalMs: null },
  task: {
    positivePrompt: 'rwre, a woman',
    negativePrompt: null,
    style: 'NO_STYLE',
    strength: 15,
    width: 896,
    height: 1152,
    numberResults: 3,
    model: 'civitai:139562@344487',
    steps: 20,
    CFGScale: 7,
    seed: null,
    outputFormat: 'JPG',
    includeCost: true,
    webhookURL: null,
    uploadEndpoint: null,
    inputImages: [],
  },
  ...patch,
});

const base = { jobId: 'job-1' };
const events: JobEvent[] = [
  { __typename: 'JobSnapshot', ...base, seq: 1, at: at(0), stage: 'QUEUED', status: 'QUEUED', job: job() },
  {
    __typename: 'JobUploadingReferences',
    ...base,
    seq: 2,
    at: at(1),
    stage: 'UPLOADING_REFERENCES',
    status: 'RUNNING',
    count: 2,
  },
  {
    __typename: 'JobSubmitted',
    ...base,
    seq: 3,
    at: at(2),
    stage: 'SUBMITTED',
    status: 'RUNNING',
    numberResults: 3,
    runwareTaskUUID: 'r',
  } as JobEvent,
  {
    __typename: 'JobImageReady',
    ...base,
    seq: 4,
    at: at(3),
    stage: 'IMAGE_READY',
    status: 'RUNNING',
    index: 1,
    total: 3,
    image: image(1),
  },
  {
    __typename: 'JobImageReady',
    ...base,
    seq: 5,
    at: at(4),
    stage: 'IMAGE_READY',
    status: 'RUNNING',
    index: 0,
    total: 3,
    image: image(0),
  },
];

const fold = (list: JobEvent[]) => list.reduce(applyJobEvent, EMPTY_PROGRESS);

describe('applyJobEvent', () => {
  it('folds the snapshot and the events: images in index order as they arrive', () => {
    const progress = fold(events);
    expect(progress.seq).toBe(5);
    expect(progress.stage).toBe('IMAGE_READY');
    expect(progress.images.map((i) => i.index)).toEqual([0, 1]);
    expect(progress.total).toBe(3);
  });

  it('keeps the reference check and the likeness scores; byLikeness puts the best first', () => {
    const progress = fold([
      ...events,
      {
        __typename: 'JobImagesScored',
        ...base,
        seq: 6,
        at: at(5),
        stage: 'IMAGES_SCORED',
        status: 'RUNNING',
        scores: [
          { index: 0, likeness: 0.41, faceFound: true, belowMinLikeness: true },
          { index: 1, likeness: 0.93, faceFound: true, belowMinLikeness: false },
        ],
      },
    ]);
    expect(progress.images.map((i) => [i.index, i.likeness, i.belowMinLikeness])).toEqual([
      [0, 0.41, true],
      [1, 0.93, false],
    ]);
    expect(byLikeness(progress.images).map((i) => i.index)).toEqual([1, 0]);
    expect(byLikeness([image(2), image(0)]).map((i) => i.index)).toEqual([0, 2]);
    const warned = fold([
      events[0] as JobEvent,
      {
        __typename: 'JobReferencesChecked',
        ...base,
        seq: 2,
        at: at(1),
        stage: 'REFERENCES_CHECKED',
        status: 'RUNNING',
        warnings: [
          {
            code: 'invalidReferenceImage',
            parameter: 'inputImages[0]',
            reason: 'multipleFaces',
            message: 'm',
          },
        ],
      },
    ]);
    expect(warned.referenceWarnings).toEqual([
      { code: 'invalidReferenceImage', parameter: 'inputImages[0]', reason: 'multipleFaces', message: 'm' },
    ]);
  });

  it('ignores events it already has (a resumed subscription may repeat them)', () => {
    const once = fold(events);
    const twice = fold([...events, ...events.slice(1)]);
    expect(twice).toEqual(once);
  });

  it('never rolls back to an older snapshot, and merges a newer one', () => {
    const progress = fold(events);
    expect(applyJobEvent(progress, events[0] as JobEvent)).toBe(progress);
    const newer = applyJobEvent(progress, {
      __typename: 'JobSnapshot',
      ...base,
      seq: 7,
      at: at(9),
      stage: 'SUCCEEDED',
      status: 'SUCCEEDED',
      job: job({
        seq: 7,
        stage: 'SUCCEEDED',
        status: 'SUCCEEDED',
        images: [image(0), image(1), image(2)],
        cost: 0.006,
      }),
    });
    expect(newer.images).toHaveLength(3);
    expect(newer.cost).toBe(0.006);
  });

  it('keeps the failure with its field', () => {
    const failed = applyJobEvent(fold(events.slice(0, 3)), {
      __typename: 'JobFailed',
      ...base,
      seq: 4,
      at: at(5),
      stage: 'FAILED',
      status: 'FAILED',
      error: { code: 'invalidWidth', message: 'bad width', parameter: 'width', retryable: false },
    });
    expect(failed.error?.parameter).toBe('width');
    expect(failed.status).toBe('FAILED');
  });

  it('keeps why a job was cancelled, also through a later snapshot (which has no reason)', () => {
    const cancelled = applyJobEvent(fold(events.slice(0, 3)), {
      __typename: 'JobCancelled',
      ...base,
      seq: 4,
      at: at(5),
      stage: 'CANCELLED',
      status: 'CANCELLED',
      reason: 'cancelAfter deadline passed',
    });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'cancelAfter deadline passed' });
    const snapshot = applyJobEvent(cancelled, {
      __typename: 'JobSnapshot',
      ...base,
      seq: 4,
      at: at(6),
      stage: 'CANCELLED',
      status: 'CANCELLED',
      job: job({ seq: 4, stage: 'CANCELLED', status: 'CANCELLED', finishedAt: at(5) }),
    });
    expect(snapshot.cancelReason).toBe('cancelAfter deadline passed');
  });
});

describe('timeline', () => {
  it('marks passed stages done and the current one active, with image counts', () => {
    const steps = timeline(fold(events));
    expect(steps.map((s) => [s.id, s.state])).toEqual([
      ['QUEUED', 'done'],
      ['UPLOADING_REFERENCES', 'done'],
      ['SUBMITTED', 'done'],
      ['IMAGE_READY', 'active'],
      ['SUCCEEDED', 'pending'],
    ]);
    expect(steps[3]?.detail).toBe('2 of 3 ready');
  });

  it('shows everything done for a finished job, without a delivery step when there was none', () => {
    const steps = timeline(
      progressFromJob(job({ stage: 'SUCCEEDED', status: 'SUCCEEDED', images: [image(0)] })),
    );
    expect(steps.every((s) => s.state === 'done')).toBe(true);
    expect(steps.map((s) => s.id)).not.toContain('DELIVERING');
  });

  it('shows where a failed job stopped and that it failed', () => {
    const failed = applyJobEvent(fold(events.slice(0, 3)), {
      __typename: 'JobFailed',
      ...base,
      seq: 4,
      at: at(5),
      stage: 'FAILED',
      status: 'FAILED',
      error: { code: 'x', message: 'y', parameter: null, retryable: false },
    });
    const steps = timeline(failed);
    expect(steps.find((s) => s.id === 'SUBMITTED')?.state).toBe('failed');
    expect(steps.at(-1)).toMatchObject({ label: 'Failed', state: 'failed' });
  });
});
