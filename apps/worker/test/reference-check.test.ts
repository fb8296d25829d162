import { sampleFace, samplePhoto } from '@photomaker/likeness/samples';
import type { JobState, JobTask } from '@photomaker/schema';
import type { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './support/harness.ts';

// The reference-photo gate (issue #17) on the real stack: dev server, Redis, the emulator, and the real
// face models on the vision task queue. Photos are real faces from @vladmandic/face-api's demo/.

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('refcheck');
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
});

async function taskWith(photos: Buffer[]): Promise<JobTask> {
  const inputImages = await Promise.all(
    photos.map(async (bytes) => ({
      kind: 'blob' as const,
      blob: await h.blobs.put(new Uint8Array(bytes), 'image/jpeg'),
    })),
  );
  return h.task({ inputImages });
}

/** Runware calls the emulator has accepted, by task type. */
async function runwareCalls(): Promise<number> {
  const types = await h.emulator.taskTypes();
  return Object.values(types).reduce((sum, n) => sum + n, 0);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as WorkflowFailedError | undefined;
  expect(error?.name).toBe('WorkflowFailedError');
  return error?.cause as ApplicationFailure;
}

describe('reference check before Runware', () => {
  it('STRICT: a group photo is refused as multipleFaces, naming inputImages[1]; nothing reaches Runware', async () => {
    const before = await runwareCalls();
    const task = await taskWith([await sampleFace('left'), await samplePhoto(1)]);
    const job = await h.start(h.input(task, { referenceCheck: 'STRICT' }));
    const failure = await failureOf(h.result(job));
    expect(failure.type).toBe('invalidReferenceImage');
    const state = (failure.details?.[0] ?? {}) as JobState;
    expect(state.status).toBe('FAILED');
    expect(state.error).toMatchObject({
      code: 'invalidReferenceImage',
      parameter: 'inputImages[1]',
      retryable: false,
    });
    expect(state.error?.message).toContain('multipleFaces');
    expect(state.images).toEqual([]);
    expect(await h.emulator.task(job.input.runwareTaskUUID)).toBeUndefined();
    expect(await runwareCalls()).toBe(before);
    const events = await h.eventsOf(job.input.jobId);
    expect(events.map((e) => e.stage)).toEqual(['queued', 'failed']);
  });

  it('STRICT: a photo of someone else is refused as referencesDiffer, naming the odd one out', async () => {
    const before = await runwareCalls();
    const same = await sampleFace('left');
    const brighter = await sharp(same).modulate({ brightness: 1.25 }).jpeg().toBuffer();
    const task = await taskWith([same, await sampleFace('third'), brighter]);
    const job = await h.start(h.input(task, { referenceCheck: 'STRICT' }));
    const failure = await failureOf(h.result(job));
    expect(failure.type).toBe('referencesDiffer');
    const state = (failure.details?.[0] ?? {}) as JobState;
    expect(state.error).toMatchObject({ code: 'referencesDiffer', parameter: 'inputImages[1]' });
    expect(await runwareCalls()).toBe(before);
  });

  it('WARN: the job runs, and the warning is on the job and in its events', async () => {
    const task = await taskWith([await samplePhoto(1)]);
    const job = await h.start(h.input(task, { referenceCheck: 'WARN' }));
    const state = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images).toHaveLength(1);
    expect(state.referenceWarnings).toEqual([
      expect.objectContaining({
        code: 'invalidReferenceImage',
        parameter: 'inputImages[0]',
        reason: 'multipleFaces',
      }),
    ]);
    const events = await h.eventsOf(job.input.jobId);
    const checked = events.find((e) => e.stage === 'references_checked');
    expect(checked?.data).toEqual({ warnings: state.referenceWarnings });
    expect(events.map((e) => e.stage).slice(0, 2)).toEqual(['queued', 'references_checked']);
  });

  it('STRICT: one person in every photo passes, and the job runs', async () => {
    const same = await sampleFace('left');
    const wider = await sampleFace('left', 0.5);
    const job = await h.start(h.input(await taskWith([same, wider]), { referenceCheck: 'STRICT' }));
    const state = await h.result(job);
    expect(state).toMatchObject({ status: 'SUCCEEDED', referenceWarnings: [] });
    expect(await h.emulator.task(job.input.runwareTaskUUID)).toBeDefined();
  });
});
