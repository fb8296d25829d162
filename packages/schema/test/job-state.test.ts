import { describe, expect, it } from 'vitest';
import type { JobEvent, JobImage, JobStart } from '../src/index.ts';
import {
  applyJobEvent,
  applyJobEvents,
  initialJobState,
  JobEventOrderError,
  jobStateSchema,
  jobTaskSchema,
} from '../src/index.ts';

const sha = (c: string) => c.repeat(64);
const input: JobStart = {
  jobId: 'job-1',
  tenant: 't',
  task: jobTaskSchema.parse({
    inputImages: [{ kind: 'blob', blob: { sha256: sha('a'), mediaType: 'image/png', size: 10 } }],
    positivePrompt: 'rwre, portrait',
    model: 'civitai:139562@344487',
    width: 128,
    height: 128,
    numberResults: 2,
    includeCost: true,
  }),
  runwareTaskUUID: '3f0c6a52-1d7e-4d1e-9b1a-2a4b5c6d7e8f',
  createdAt: '2026-11-24T10:00:00.000Z',
};
const at = (ms: number) => new Date(Date.parse(input.createdAt) + ms).toISOString();
const image = (index: number, cost: number): JobImage => ({
  index,
  imageUUID: `img-${index}`,
  seed: String(100 + index),
  width: 128,
  height: 128,
  outputFormat: 'JPG',
  blob: { sha256: sha(String(index)), mediaType: 'image/jpeg', size: 5 },
  cost,
});
const base = { jobId: 'job-1' };
const events: JobEvent[] = [
  { ...base, seq: 1, at: at(0), stage: 'queued', data: { numberResults: 2 } },
  { ...base, seq: 2, at: at(100), stage: 'uploading_references', data: { count: 1 } },
  {
    ...base,
    seq: 3,
    at: at(150),
    stage: 'submitted',
    data: { runwareTaskUUID: input.runwareTaskUUID, numberResults: 2 },
  },
  { ...base, seq: 4, at: at(1150), stage: 'image_ready', data: { index: 1, total: 2, image: image(1, 0.1) } },
  { ...base, seq: 5, at: at(1650), stage: 'image_ready', data: { index: 0, total: 2, image: image(0, 0.2) } },
  { ...base, seq: 6, at: at(1700), stage: 'delivering', data: { webhook: true, uploadEndpoint: false } },
  { ...base, seq: 7, at: at(1900), stage: 'succeeded', data: { imageCount: 2, cost: 0.3 } },
];

describe('job state as a fold of its events', () => {
  it('tracks stage, status, images in index order, cost and timings', () => {
    const running = applyJobEvents(initialJobState(input), events.slice(0, 4));
    expect(running).toMatchObject({ status: 'RUNNING', stage: 'image_ready', seq: 4, startedAt: at(100) });
    expect(running.cost).toBe(0.1);
    const done = applyJobEvents(running, events.slice(4));
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      stage: 'succeeded',
      seq: 7,
      finishedAt: at(1900),
      cost: 0.3,
    });
    expect(done.images.map((i) => i.index)).toEqual([0, 1]);
    expect(done.timings).toEqual({
      queuedMs: 100,
      uploadMs: 50,
      generateMs: 1500,
      deliverMs: 250,
      totalMs: 1900,
    });
    expect(jobStateSchema.safeParse(done).success).toBe(true);
  });

  it('ignores events it has applied, refuses gaps', () => {
    const state = applyJobEvents(initialJobState(input), events.slice(0, 3));
    expect(applyJobEvent(state, events[1] as JobEvent)).toBe(state);
    expect(() => applyJobEvent(state, events[4] as JobEvent)).toThrow(JobEventOrderError);
  });

  it('accepts a gap when asked (a rebuild from a trimmed stream)', () => {
    const rebuilt = applyJobEvents(initialJobState(input), events.slice(3), { allowGaps: true });
    expect(rebuilt).toMatchObject({ status: 'SUCCEEDED', seq: 7, cost: 0.3 });
    expect(rebuilt.images.map((i) => i.index)).toEqual([0, 1]);
  });

  it('records the error of a failed job and the end of a cancelled one', () => {
    const started = applyJobEvents(initialJobState(input), events.slice(0, 3));
    const error = { code: 'insufficientCredits', message: 'no money', retryable: false };
    const failed = applyJobEvent(started, { ...base, seq: 4, at: at(200), stage: 'failed', data: { error } });
    expect(failed).toMatchObject({ status: 'FAILED', error, finishedAt: at(200) });
    const cancelled = applyJobEvent(started, { ...base, seq: 4, at: at(300), stage: 'cancelled', data: {} });
    expect(cancelled).toMatchObject({ status: 'CANCELLED', stage: 'cancelled', error: null });
  });
});

describe('initialJobState', () => {
  it('carries the deadline of the start input, and has none without one', () => {
    const cancelAt = at(60_000);
    const state = initialJobState({ ...input, cancelAt });
    expect(state.cancelAt).toBe(cancelAt);
    expect(jobStateSchema.parse(state).cancelAt).toBe(cancelAt);
    expect('cancelAt' in initialJobState(input)).toBe(false);
  });

  it('carries the priority of a job started to wait for a slot, and none for a job that runs at once', () => {
    const state = initialJobState({ ...input, admission: { priority: 'HIGH' } });
    expect(state.priority).toBe('HIGH');
    expect(jobStateSchema.parse(state).priority).toBe('HIGH');
    expect('priority' in initialJobState(input)).toBe(false);
    expect(() => jobStateSchema.parse({ ...state, priority: 'URGENT' })).toThrow();
  });
});
