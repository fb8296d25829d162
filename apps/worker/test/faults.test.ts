import { derivedUuid } from '@photomaker/runware';
import type { ScriptedFaultInput as ScriptedFault } from '@photomaker/runware-emulator/admin';
import type { JobState } from '@photomaker/schema';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, type StartedJob } from './support/harness.ts';
import { activityRuns, runwareSteps } from './support/history.ts';
import { usageOfTenant } from './support/usage.ts';

let h: Harness;
/** A second task queue whose worker holds a wrong Runware key (a real 401 from the emulator). */
let wrongKey: Harness;

beforeAll(async () => {
  [h, wrongKey] = await Promise.all([Harness.create('faults'), Harness.create('faults-key')]);
  await Promise.all([h.startWorkers(), wrongKey.startWorkers({ apiKey: 'rw-not-a-valid-key' })]);
});

afterAll(async () => {
  await Promise.all([h?.close(), wrongKey?.close()]);
});

/**
 * Starts a job whose Runware task (and its polls/uploads) meets the given faults: the job's own task for a
 * single image, the first task of image `faultyImage` (default 0) for a multi-image job (a task per image).
 */
async function jobWithFaults(
  faults: (taskUUID: string, referenceUploadUUID: string) => ScriptedFault[],
  overrides: Parameters<Harness['task']>[0] = {},
  faultyImage = 0,
  tenant?: string,
): Promise<StartedJob> {
  const task = await h.task(overrides);
  const input = h.input(task, tenant ? { tenant } : {});
  const reference = task.inputImages[0];
  const sha = reference?.kind === 'blob' ? reference.blob.sha256 : '';
  const taskUUID =
    task.numberResults > 1 ? (h.imageTaskUUIDs(input)[faultyImage] as string) : input.runwareTaskUUID;
  await h.emulator.addFaults(faults(taskUUID, derivedUuid(input.runwareTaskUUID, `reference:0:${sha}`)));
  return h.start(input);
}

async function failureOf(
  job: StartedJob,
  harness = h,
): Promise<{ failure: ApplicationFailure; state: JobState }> {
  const error = await job.handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const failure = (error as WorkflowFailedError).cause;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  const state = (failure as ApplicationFailure).details?.[0] as JobState;
  const events = await harness.eventsOf(job.input.jobId);
  expect(events.at(-1)).toMatchObject({ stage: 'failed', data: { error: state.error } });
  return { failure: failure as ApplicationFailure, state };
}

const error = (status: number, code: string, retryAfterSeconds?: number) =>
  ({
    kind: 'error',
    status,
    code,
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  }) as const;

describe.concurrent('transient faults end in success after retries, paid once', () => {
  it.each([
    ['503 serviceUnavailable', error(503, 'serviceUnavailable', 0)],
    ['500 internalServerError', error(500, 'internalServerError')],
    ['504 timeoutProvider', error(504, 'timeoutProvider')],
    ['connection reset before work', { kind: 'reset', when: 'beforeWork' } as const],
    ['connection reset after the task was accepted', { kind: 'reset', when: 'afterAccept' } as const],
    ['connection reset mid-body', { kind: 'reset', when: 'midBody' } as const],
    ['a slow body', { kind: 'slowBody', ms: 1_500 } as const],
  ])('sync photoMaker meets %s', async (_name, fault) => {
    const job = await jobWithFaults((taskUUID) => [{ match: { taskType: 'photoMaker', taskUUID }, fault }]);
    const state = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images).toHaveLength(1);
    expect(await h.emulator.task(job.input.runwareTaskUUID)).toMatchObject({ charges: 1, generations: 1 });
    await h.eventsOf(job.input.jobId);
  });

  it('async photoMaker whose getResponse polls fail with 503, get duplicated items and stay stuck', async () => {
    const job = await jobWithFaults(
      (taskUUID) => [
        { match: { taskType: 'photoMaker', taskUUID }, fault: { kind: 'stuck', polls: 3 } },
        {
          match: { taskType: 'getResponse', taskUUID },
          count: 2,
          fault: error(503, 'serviceUnavailable', 0),
        },
        {
          match: { taskType: 'getResponse', taskUUID },
          count: 3,
          fault: { kind: 'duplicateFrames', copies: 2 },
        },
      ],
      { numberResults: 3 },
      1,
    );
    const state = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(new Set(state.images.map((image) => image.imageUUID)).size).toBe(3);
    // One task per image, each sent once and charged once; image 1's polls met the faults.
    expect(await h.chargesOf(job.input)).toEqual({ charges: 3, submissions: 3, tasks: 3 });
    // Three stuck polls and at least one that answered (the 503s never reach its poll count).
    expect((await h.imageTasks(job.input))[1]?.polls).toBeGreaterThanOrEqual(4);
    const ready = (await h.eventsOf(job.input.jobId)).filter((e) => e.stage === 'image_ready');
    expect(ready).toHaveLength(3);
  });

  it('an accepted task getResponse does not see yet (taskNotFound) is waited for, not failed or re-sent', async () => {
    const job = await jobWithFaults(
      (taskUUID) => [{ match: { taskType: 'photoMaker', taskUUID }, fault: { kind: 'invisible', polls: 3 } }],
      { numberResults: 3 },
      1,
    );
    const state = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(new Set(state.images.map((image) => image.imageUUID)).size).toBe(3);
    // One task per image, each sent once and charged once; image 1's task was polled past its 3 misses.
    expect(await h.chargesOf(job.input)).toEqual({ charges: 3, submissions: 3, tasks: 3 });
    expect((await h.imageTasks(job.input))[1]?.polls).toBeGreaterThanOrEqual(4);
  });

  it('an imageUpload failing with 503 is retried', async () => {
    const job = await jobWithFaults((_taskUUID, uploadUUID) => [
      {
        match: { taskType: 'imageUpload', taskUUID: uploadUUID },
        fault: error(503, 'serviceUnavailable', 0),
      },
    ]);
    expect((await h.result(job)).status).toBe('SUCCEEDED');
    // The single-image job's local step met the 503; the task-queue activity took over and succeeded.
    expect(await runwareSteps(job.handle)).toMatchObject([
      { kind: 'local', outcome: 'failed' },
      { kind: 'activity', attempt: 1, outcome: 'completed' },
    ]);
    const batch = await jobWithFaults(
      (_taskUUID, uploadUUID) => [
        {
          match: { taskType: 'imageUpload', taskUUID: uploadUUID },
          fault: error(503, 'serviceUnavailable', 0),
        },
      ],
      { numberResults: 2 },
    );
    expect((await h.result(batch)).status).toBe('SUCCEEDED');
    // Two images: the task-queue activity's own retry (its first call submits, the next ones poll).
    expect((await runwareSteps(batch.handle))[0]).toMatchObject({
      kind: 'activity',
      attempt: 2,
      outcome: 'completed',
    });
  });

  it('failed generations are made again by a new Runware task (a failed generation is not charged)', async () => {
    const job = await jobWithFaults(
      (taskUUID) => [{ match: { taskType: 'photoMaker', taskUUID }, fault: { kind: 'generationError' } }],
      { numberResults: 3, seed: '1000' },
      1,
      `faults-${crypto.randomUUID()}`,
    );
    const state = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images.map((image) => image.index)).toEqual([0, 1, 2]);
    expect(state.images.map((image) => image.seed).sort()).toEqual(['1000', '1001', '1002']);
    const first = await h.imageTasks(job.input);
    expect(first.map((task) => task?.charges)).toEqual([1, 0, 1]);
    expect(first[1]?.images.map((image) => image.status)).toEqual(['error']);
    // Image 1's follow-up task: a new taskUUID (derived too), the same seed, charged once.
    const [, followUp] = await h.imageTasks(job.input, 1);
    expect(followUp).toMatchObject({ charges: 1, numberResults: 1, images: [{ seed: '1001' }] });
    expect(state.runwareTaskUUID).toBe(job.input.runwareTaskUUID);
    const stages = (await h.eventsOf(job.input.jobId)).map((e) => e.stage);
    expect(stages.filter((stage) => stage === 'submitted')).toHaveLength(1);
    // Usage: three images, each at its own task's cost; the failed generation (not charged) is none of them.
    const usage = await usageOfTenant(h.redis, job.input.tenant);
    expect(usage).toMatchObject({ images: 3, imagesWithoutCost: 0, jobs: { SUCCEEDED: 1 } });
    const charged = [...first, followUp].reduce((sum, task) => sum + (task?.cost ?? 0), 0);
    expect(charged).toBeGreaterThan(0);
    expect(usage.costUsd).toBeCloseTo(charged, 9);
  });

  it('429 with Retry-After waits as told before sending again', async () => {
    const [single, batch] = await Promise.all([
      jobWithFaults((taskUUID) => [
        { match: { taskType: 'photoMaker', taskUUID }, fault: error(429, 'rateLimitExceeded', 2) },
      ]),
      jobWithFaults(
        (taskUUID) => [
          { match: { taskType: 'photoMaker', taskUUID }, fault: error(429, 'rateLimitExceeded', 2) },
        ],
        { numberResults: 2 },
      ),
    ]);
    for (const job of [single, batch]) expect((await h.result(job)).status).toBe('SUCCEEDED');
    // Single image: the local step was refused; the task-queue activity sent it again no sooner than
    // Retry-After (2 s) later.
    const [local, activity] = await runwareSteps(single.handle);
    expect([local?.kind, local?.outcome, activity?.kind, activity?.attempt]).toEqual([
      'local',
      'failed',
      'activity',
      1,
    ]);
    expect((activity?.at ?? 0) - (local?.at ?? 0)).toBeGreaterThanOrEqual(2_000 - 50);
    // Two images (one task each): image 0's task goes again no sooner than Retry-After after it was
    // refused, inside the same activity attempt (the other image meanwhile waits its turn).
    const [collect] = await activityRuns(batch.handle, 'collectImages');
    expect(collect?.attempt).toBe(1);
    const [refused] = await h.imageTasks(batch.input);
    expect(Date.parse(refused?.acceptedAt ?? '') - (collect?.startedAt ?? 0)).toBeGreaterThanOrEqual(2_000);
  });
});

describe.concurrent('permanent errors fail the job at once with Runware code, parameter and message', () => {
  it('validation: a model that is not SDXL', async () => {
    const job = await h.start(h.input(await h.task({ model: 'runware:100@1' })));
    const { failure, state } = await failureOf(job);
    expect(failure.type).toBe('invalidModel');
    expect(state.error).toMatchObject({ code: 'invalidModel', parameter: 'model', retryable: false });
    expect(state.error?.message).toContain('SDXL');
    // Once, and never again: the local step failed, no task-queue activity was scheduled.
    expect(await runwareSteps(job.handle)).toMatchObject([{ kind: 'local', attempt: 1, outcome: 'failed' }]);
  });

  it('auth: a Runware key the server refuses', async () => {
    const job = await wrongKey.start(wrongKey.input(await wrongKey.task()));
    const { failure, state } = await failureOf(job, wrongKey);
    expect(failure.type).toBe('invalidApiKey');
    expect(state.error).toMatchObject({ code: 'invalidApiKey', retryable: false });
    expect(JSON.stringify(state)).not.toContain('rw-not-a-valid-key');
    // Once, and never again: the local step failed, no task-queue activity was scheduled.
    expect(await runwareSteps(job.handle)).toMatchObject([{ kind: 'local', attempt: 1, outcome: 'failed' }]);
  });

  it.each([
    ['balance', error(402, 'insufficientCredits'), 1],
    ['safety', error(400, 'contentPolicyViolation'), 1],
    ['balance, two images (the task-queue activity)', error(402, 'insufficientCredits'), 2],
  ] as const)('%s', async (_name, fault, numberResults) => {
    const job = await jobWithFaults((taskUUID) => [{ match: { taskType: 'photoMaker', taskUUID }, fault }], {
      numberResults,
    });
    const { failure, state } = await failureOf(job);
    expect(failure.type).toBe(fault.code);
    expect(state.error).toMatchObject({ code: fault.code, retryable: false });
    // Once, and never again: no retry, and after a failed local step no task-queue activity either.
    expect(await runwareSteps(job.handle)).toMatchObject([
      { kind: numberResults === 1 ? 'local' : 'activity', attempt: 1, outcome: 'failed' },
    ]);
  });

  // Runware's words for a reference it cannot decode, under codes that are otherwise transient.
  const DECODE = 'Reference image inputImages[0] could not be decoded: the image data is truncated.';
  it.each([
    ['an answer', { kind: 'error', status: 503, code: 'providerError', message: DECODE }],
    ['a failed generation', { kind: 'generationError', code: 'inferenceError', message: DECODE }],
  ] as const)('a reference that does not decode (%s) fails at once, not retried', async (_name, fault) => {
    const job = await jobWithFaults((taskUUID) => [{ match: { taskType: 'photoMaker', taskUUID }, fault }]);
    const { failure, state } = await failureOf(job);
    expect(failure.type).toBe(fault.code);
    expect(state.error).toMatchObject({ code: fault.code, retryable: false });
    expect(state.runwareTaskUUID).toBe(job.input.runwareTaskUUID);
    expect(await runwareSteps(job.handle)).toMatchObject([{ kind: 'local', attempt: 1, outcome: 'failed' }]);
  });

  it('safety: a generation flagged by the content filter is not made again', async () => {
    const job = await jobWithFaults(
      (taskUUID) => [
        {
          match: { taskType: 'photoMaker', taskUUID },
          fault: { kind: 'generationError', code: 'nsfwContentDetected', images: [0] },
        },
      ],
      { numberResults: 2 },
    );
    const { failure, state } = await failureOf(job);
    expect(failure.type).toBe('nsfwContentDetected');
    expect(state.images).toHaveLength(1);
    expect(state.runwareTaskUUID).toBe(job.input.runwareTaskUUID);
    // Image 0's task is not sent again (no follow-up task exists).
    expect(await h.imageTasks(job.input, 1)).toEqual([undefined, undefined]);
  });
});
