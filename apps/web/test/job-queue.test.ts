import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Job, JobEvent } from '../src/api/operations.ts';
import {
  applyJobEvent,
  EMPTY_PROGRESS,
  type JobProgress,
  progressFromJob,
} from '../src/jobs/job-progress.ts';
import { approx, ordinal, queueLine } from '../src/jobs/queue-eta.ts';
import { JobQueuePlace } from '../src/ui/JobQueuePlace.tsx';

// The queued view: the snapshot's Job.queuePosition/estimates, live JobQueued updates (not logged: their
// seq repeats the last one), and how the place and ETA read.

const NOW = Date.parse('2026-11-24T10:00:00.000Z');
const inS = (s: number) => new Date(NOW + s * 1000).toISOString();

const queuedJob = (patch: Partial<Job> = {}) =>
  ({
    id: 'job-1',
    status: 'QUEUED',
    stage: 'QUEUED',
    seq: 0,
    createdAt: inS(-5),
    finishedAt: null,
    cost: null,
    error: null,
    images: [],
    queuePosition: 3,
    estimatedStartAt: inS(40),
    estimatedFinishAt: inS(70),
    task: { numberResults: 2 },
    ...patch,
  }) as unknown as Job;

const live = (seq: number, position: number, start: number, finish: number): JobEvent => ({
  __typename: 'JobQueued',
  jobId: 'job-1',
  seq,
  at: inS(0),
  stage: 'QUEUED',
  status: 'QUEUED',
  numberResults: 2,
  durable: false,
  position,
  estimatedStartAt: inS(start),
  estimatedFinishAt: inS(finish),
});

describe('queue place in the job progress', () => {
  it('starts from the snapshot, then follows live JobQueued updates at the same seq', () => {
    let progress = applyJobEvent(EMPTY_PROGRESS, {
      __typename: 'JobSnapshot',
      jobId: 'job-1',
      seq: 0,
      at: inS(0),
      stage: 'QUEUED',
      status: 'QUEUED',
      job: queuedJob(),
    });
    expect(progress.queue).toEqual({ position: 3, estimatedStartAt: inS(40), estimatedFinishAt: inS(70) });
    progress = applyJobEvent(progress, live(0, 2, 25, 55));
    progress = applyJobEvent(progress, live(0, 1, 10, 40));
    expect(progress.queue?.position).toBe(1);
    expect(progress.seq).toBe(0);
  });

  it('forgets the place once the job runs, and ignores a late live update after that', () => {
    let progress: JobProgress = progressFromJob(queuedJob());
    progress = applyJobEvent(progress, {
      __typename: 'JobUploadingReferences',
      jobId: 'job-1',
      seq: 1,
      at: inS(1),
      stage: 'UPLOADING_REFERENCES',
      status: 'RUNNING',
      count: 1,
    });
    expect(progress.queue).toBeUndefined();
    expect(applyJobEvent(progress, live(1, 1, 0, 30)).queue).toBeUndefined();
  });

  it('a running job, or one admission says nothing about, has no place', () => {
    expect(progressFromJob(queuedJob({ status: 'RUNNING', stage: 'SUBMITTED' })).queue).toBeUndefined();
    const unknown = queuedJob({ queuePosition: null, estimatedStartAt: null, estimatedFinishAt: null });
    expect(progressFromJob(unknown).queue).toBeUndefined();
  });
});

describe('how the place and ETA read', () => {
  it('rounds spans as the view says them', () => {
    expect([approx(400), approx(40_000), approx(70_000), approx(3_725_000)]).toEqual([
      '~1 s',
      '~40 s',
      '~1m10s',
      '~1h02m',
    ]);
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });

  it('says where the job is and when it starts and ends', () => {
    const place = { position: 3, estimatedStartAt: inS(40), estimatedFinishAt: inS(70) };
    expect(queueLine(place, NOW)).toEqual({ place: '3rd in line', eta: 'starts in ~40 s, done ~1m10s' });
    expect(queueLine({ ...place, position: 1 }, NOW + 40_000)).toEqual({
      place: 'next in line',
      eta: 'starts any moment, done ~30 s',
    });
    expect(queueLine({ position: null, estimatedStartAt: null, estimatedFinishAt: null }, NOW)).toEqual({
      place: 'waiting for a slot',
      eta: undefined,
    });
  });

  it('renders for a queued job only', () => {
    const html = renderToStaticMarkup(
      createElement(JobQueuePlace, { progress: progressFromJob(queuedJob()), now: NOW }),
    );
    expect(html).toContain('data-position="3"');
    expect(html).toContain('3rd in line');
    expect(html).toContain('starts in ~40 s, done ~1m10s');
    const running = progressFromJob(queuedJob({ status: 'RUNNING', stage: 'SUBMITTED' }));
    expect(renderToStaticMarkup(createElement(JobQueuePlace, { progress: running, now: NOW }))).toBe('');
  });
});
