import { CancelRequests } from '@photomaker/events';
import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import { derivedUuid } from '@photomaker/runware';
import { addToSeed, type JobEvent, type JobState } from '@photomaker/schema';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Harness, type StartedJob } from './support/harness.ts';
import { activityRuns } from './support/history.ts';
import { usageOfTenant } from './support/usage.ts';

// A multi-image job as one Runware task per image, against an emulator of its own with latency (each
// image 600 ms, every request 50 ms), so cancels land mid-job and its ledger and peak count are ours.

const WINDOW = 3;
let emulator: RunningNodeApp;
let h: Harness;

beforeAll(async () => {
  emulator = await startNodeApp({
    name: 'per-image-emulator',
    entry: 'apps/runware-emulator/src/main.ts',
    args: [
      '--port',
      '0',
      '--latency',
      JSON.stringify({ requestMs: 50, imageMs: 600, stepMs: 0, parallelism: 1 }),
    ],
  });
  h = await Harness.create('per-image', { emulatorUrl: emulator.url ?? '' });
  await h.startWorkers({ settings: { tasksInFlightPerJob: WINDOW, cancelDrainMs: 10_000 } });
});

afterAll(async () => {
  await h?.close();
  await emulator?.stop();
});

beforeEach(async () => {
  await h.emulator.reset();
});

async function cancelledResult(job: StartedJob): Promise<void> {
  const error = await job.handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
}

/** A tenant of its own per job: the tenant's usage records are then the job's line. */
const ownTenant = () => ({ tenant: `per-image-${crypto.randomUUID()}` });

/** The job's usage line: every image Runware charged, once, at what it charged (the emulator's ledger). */
async function expectUsageMatchesCharges(
  input: { tenant: string },
  outcome: 'SUCCEEDED' | 'CANCELLED',
  images: number,
): Promise<void> {
  const { ledger } = await h.emulator.inspect();
  expect(ledger.charges).toBe(images);
  const usage = await usageOfTenant(h.redis, input.tenant);
  expect(usage).toMatchObject({ images, imagesWithoutCost: 0, jobsWithoutCost: 0 });
  expect(usage.jobs).toEqual({ SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, TIMED_OUT: 0, [outcome]: 1 });
  expect(usage.costUsd).toBeCloseTo(ledger.charged, 9);
  if (images > 0) expect(usage.costUsd).toBeGreaterThan(0);
}

const imagesOf = (events: JobEvent[]) =>
  events.flatMap((event) => (event.stage === 'image_ready' ? [event.data.image] : []));

describe('one Runware task per image', () => {
  it(`sends image i with seed + i under a taskUUID derived from the job, at most ${WINDOW} at once`, async () => {
    const job = await h.start(
      h.input(await h.task({ numberResults: 10, seed: '4242', includeCost: false }), ownTenant()),
    );
    const state: JobState = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images.map((image) => image.seed).sort()).toEqual(
      [...Array(10).keys()].map((i) => addToSeed('4242', i)).sort(),
    );
    const tasks = await h.imageTasks(job.input);
    tasks.forEach((task, i) => {
      expect(task).toMatchObject({ numberResults: 1, submissions: 1, charges: 1, deliveryMethod: 'async' });
      expect(task?.images[0]?.seed).toBe(addToSeed('4242', i));
    });
    const inspection = await h.emulator.inspect();
    expect(inspection.ledger.charges).toBe(10);
    // The window: never more than WINDOW generations at the emulator, and it was used.
    expect(inspection.peakActiveGenerations).toBe(WINDOW);
    // Tasks go out in image order, one at a time.
    const accepted = tasks.map((task) => Date.parse(task?.acceptedAt ?? ''));
    expect([...accepted].sort((a, b) => a - b)).toEqual(accepted);
    // The job did not ask for its cost, the worker asked anyway (WORKER_RUNWARE_INCLUDE_COST): each
    // image's own task reported it, and usage counts ten images at what Runware charged.
    expect(state.cost).toBeNull();
    await expectUsageMatchesCharges(job.input, 'SUCCEEDED', 10);
  }, 60_000);

  it('holds no more image tasks at once than its admission weight (what the global budget counts)', async () => {
    const input = {
      ...h.input(await h.task({ numberResults: 6 })),
      admission: { priority: 'NORMAL' as const, weight: 2 },
    };
    const state: JobState = await h.result(await h.start(input));
    expect(state.status).toBe('SUCCEEDED');
    const inspection = await h.emulator.inspect();
    expect(inspection.ledger.charges).toBe(6);
    expect(inspection.peakActiveGenerations).toBe(2);
  }, 60_000);

  it('a 10-image job cancelled after its first image: only the images already sent are charged, and kept', async () => {
    const input = h.input(await h.task({ numberResults: 10, seed: '100' }), ownTenant());
    // Images of 2 s. As the API's cancelJob does: the Redis cancel request first, which the run checks
    // before each send, then Temporal's cancel (it reaches the activity with a heartbeat, seconds later).
    await h.emulator.setLatency({ imageMs: 2_000 });
    try {
      const job = await h.start(input);
      await h.waitForEvent(input.jobId, (event) => event.stage === 'image_ready');
      await new CancelRequests(h.redis).request(input.jobId);
      await job.handle.cancel();
      await cancelledResult(job);
      expect(await h.query(job)).toMatchObject({ status: 'CANCELLED' });
    } finally {
      await h.emulator.setLatency({ imageMs: 600 });
    }

    const tasks = (await h.imageTasks(input)).filter((task) => task !== undefined);
    // The first window, and at most the one sent as the first image came back: never all ten.
    expect(tasks.length).toBeGreaterThanOrEqual(WINDOW);
    expect(tasks.length).toBeLessThanOrEqual(WINDOW + 1);
    // Nothing left running or reserved: each task sent ran once and was charged once, nothing else.
    await vi.waitFor(async () => expect((await h.emulator.inspect()).activeGenerations).toBe(0));
    const inspection = await h.emulator.inspect();
    expect(inspection.ledger).toMatchObject({ charges: tasks.length, reserved: 0 });
    expect(tasks.every((task) => task.charges === 1 && task.submissions === 1)).toBe(true);
    // The paid images are the job's: collected after the cancel, in the stream before its end.
    const events = await h.eventsOf(input.jobId);
    expect(events.at(-1)).toMatchObject({ stage: 'cancelled', data: { reason: 'cancelled by request' } });
    const images = imagesOf(events);
    expect(images).toHaveLength(tasks.length);
    expect(images.map((image) => image.seed).sort()).toEqual(
      [...Array(tasks.length).keys()].map((i) => addToSeed('100', i)).sort(),
    );
    // Usage counts the images actually made (and paid), not the ten asked for.
    await expectUsageMatchesCharges(input, 'CANCELLED', tasks.length);
  }, 60_000);

  it('a job cancelled before its first image task was sent costs nothing', async () => {
    const task = await h.task({ numberResults: 10 });
    const input = h.input(task, ownTenant());
    const reference = task.inputImages[0];
    const sha = reference?.kind === 'blob' ? reference.blob.sha256 : '';
    // The reference upload is refused with Retry-After 30 s: the job is still before its first send.
    await h.emulator.addFaults([
      {
        match: {
          taskType: 'imageUpload',
          taskUUID: derivedUuid(input.runwareTaskUUID, `reference:0:${sha}`),
        },
        fault: { kind: 'error', status: 503, code: 'serviceUnavailable', retryAfterSeconds: 30 },
      },
    ]);
    const job = await h.start(input);
    await vi.waitFor(async () => expect((await h.emulator.inspect()).faultsInjected.error).toBe(1));
    await job.handle.cancel();
    await cancelledResult(job);
    expect(await h.imageTasks(input)).toEqual(Array(10).fill(undefined));
    await expectUsageMatchesCharges(input, 'CANCELLED', 0);
  }, 60_000);

  it('keeps its taskUUIDs across an activity retry: what Runware holds is found, never sent twice', async () => {
    const input = h.input(await h.task({ numberResults: 6, seed: '9' }), ownTenant());
    const uuids = h.imageTaskUUIDs(input);
    // Image 3's task is refused (500) more often than one attempt sends it: the attempt fails with
    // images 0-2 done or in flight, and the retry picks those up with getTaskDetails.
    await h.emulator.addFaults([
      {
        match: { taskType: 'photoMaker', taskUUID: uuids[3] as string },
        count: 4,
        fault: { kind: 'error', status: 500, code: 'internalServerError' },
      },
      // Image 1's answer is lost (connection reset after Runware accepted it): found, not sent again.
      {
        match: { taskType: 'photoMaker', taskUUID: uuids[1] as string },
        fault: { kind: 'reset', when: 'afterAccept' },
      },
    ]);
    const job = await h.start(input);
    const state = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(state.images).toHaveLength(6);
    expect((await activityRuns(job.handle, 'collectImages')).map((run) => run.attempt)).toEqual([2]);
    expect(await h.chargesOf(input)).toEqual({ charges: 6, submissions: 6, tasks: 6 });
    const inspection = await h.emulator.inspect();
    expect(inspection.taskTypes.getTaskDetails).toBeGreaterThanOrEqual(2);
    expect(Object.keys(inspection.tasks).filter((uuid) => uuids.includes(uuid))).toHaveLength(6);
    // Recovered images (found with getTaskDetails by the retry) count once, like the others.
    await expectUsageMatchesCharges(input, 'SUCCEEDED', 6);
  }, 60_000);
});
