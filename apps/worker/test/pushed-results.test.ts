import { CancelRequests } from '@photomaker/events';
import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import { addToSeed, type JobEvent, type JobState } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunwareResourceOptions } from '../src/resources.ts';
import { Harness, type StartedJob, type TestWorkers } from './support/harness.ts';
import { TcpProxy } from './support/tcp-proxy.ts';
import { spawnWorkerProcess, workerProcessEnv } from './support/worker-process.ts';

// RUNWARE_TRANSPORT=websocket: a multi-image job's image tasks over the worker's one Runware WebSocket
// session, each image pushed as it finishes; REST when the socket is down. Against an emulator of its
// own (each image 600 ms, every request 50 ms) over real sockets, so its ledger is this file's.

let emulator: RunningNodeApp;
let proxy: TcpProxy;
const harnesses: Harness[] = [];

beforeAll(async () => {
  emulator = await startNodeApp({
    name: 'pushed-emulator',
    entry: 'apps/runware-emulator/src/main.ts',
    args: [
      '--port',
      '0',
      '--latency',
      JSON.stringify({ requestMs: 50, imageMs: 600, stepMs: 0, parallelism: 1 }),
    ],
  });
  proxy = await TcpProxy.start(emulator.url ?? '');
});

afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await proxy?.close();
  await emulator?.stop();
});

/** Workers of their own (own task queue) with these Runware transport settings. */
async function workersWith(
  name: string,
  runware: Partial<RunwareResourceOptions>,
  cancelDrainMs = 3_000,
): Promise<{ h: Harness; workers: TestWorkers }> {
  const h = await Harness.create(name, { emulatorUrl: emulator.url ?? '' });
  harnesses.push(h);
  // Before the workers connect: a reset also forgets the emulator's socket sessions.
  await h.emulator.reset();
  const workers = await h.startWorkers({ runware, settings: { tasksInFlightPerJob: 4, cancelDrainMs } });
  return { h, workers };
}

/** Waits until the worker's socket session is open (it connects at start, in the background). */
async function socketOpen(workers: TestWorkers): Promise<void> {
  await vi.waitFor(() => expect(workers.deps.runwareSocket?.ready()).toBeDefined(), { timeout: 10_000 });
}

const imagesOf = (events: JobEvent[]) =>
  events.flatMap((event) => (event.stage === 'image_ready' ? [event.data.image] : []));

/** Every image once, by seed, and every image task submitted once and charged once. */
async function expectEveryImageOnce(h: Harness, job: StartedJob, seed: string): Promise<void> {
  const n = job.input.task.numberResults;
  const state: JobState = await h.result(job);
  expect(state.status).toBe('SUCCEEDED');
  const seeds = [...Array(n).keys()].map((i) => addToSeed(seed, i)).sort();
  expect(state.images.map((image) => image.seed).sort()).toEqual(seeds);
  expect(
    imagesOf(await h.eventsOf(job.input.jobId))
      .map((image) => image.seed)
      .sort(),
  ).toEqual(seeds);
  expect(await h.chargesOf(job.input)).toEqual({ charges: n, submissions: n, tasks: n });
}

describe('RUNWARE_TRANSPORT=websocket', () => {
  it('sends every image task over one socket session and stores each image as it is pushed', async () => {
    const { h, workers } = await workersWith('pushed-ws', { transport: 'websocket' });
    await socketOpen(workers);
    const job = await h.start(h.input(await h.task({ numberResults: 6, seed: '500' })));
    await expectEveryImageOnce(h, job, '500');
    for (const task of await h.imageTasks(job.input)) {
      // Sync delivery on the socket: pushed, never polled.
      expect(task).toMatchObject({ transport: 'ws', deliveryMethod: 'sync', polls: 0, charges: 1 });
    }
    expect((await h.emulator.inspect()).ledger.charges).toBe(6);
    expect(workers.deps.runwareSocket?.connections).toBe(1);
  }, 60_000);

  it('a socket the emulator drops mid-job resumes its session: no image lost, none sent or paid twice', async () => {
    const { h, workers } = await workersWith('pushed-drop', { transport: 'websocket' });
    await socketOpen(workers);
    const input = h.input(await h.task({ numberResults: 8, seed: '700' }));
    // The emulator accepts image 2's task, then resets the connection (images 0-3 are in flight).
    await h.emulator.addFaults([
      {
        match: { transport: 'ws', taskUUID: h.imageTaskUUIDs(input)[2] as string },
        fault: { kind: 'reset', when: 'afterAccept' },
      },
    ]);
    const job = await h.start(input);
    await expectEveryImageOnce(h, job, '700');
    const inspection = await h.emulator.inspect();
    expect(inspection.faultsInjected.reset).toBe(1);
    expect(inspection.ledger.charges).toBe(8);
    // Reconnected once, on the same session; the tasks stayed on the socket.
    expect(workers.deps.runwareSocket?.connections).toBe(2);
    for (const task of await h.imageTasks(input)) expect(task).toMatchObject({ transport: 'ws' });
  }, 60_000);

  it('a socket that goes away for good mid-job hands its tasks to REST: no image lost, one charge each', async () => {
    const { h, workers } = await workersWith('pushed-killed', {
      transport: 'websocket',
      socketUrl: `${proxy.url.replace(/^http/, 'ws')}/v1`,
      socketDownGraceMs: 400,
      socketRetryAfterMs: 60_000,
    });
    await socketOpen(workers);
    const input = h.input(await h.task({ numberResults: 8, seed: '900' }));
    const job = await h.start(input);
    await h.waitForEvent(input.jobId, (event) => event.stage === 'image_ready');
    await proxy.kill();
    try {
      await expectEveryImageOnce(h, job, '900');
    } finally {
      await proxy.revive();
    }
    const tasks = await h.imageTasks(input);
    // The first images went over the socket, the last ones (sent after the kill) over REST.
    expect(tasks[0]).toMatchObject({ transport: 'ws', deliveryMethod: 'sync' });
    expect(tasks.at(-1)).toMatchObject({ transport: 'rest', deliveryMethod: 'async' });
    expect((await h.emulator.inspect()).ledger.charges).toBe(8);
  }, 60_000);

  it('a socket that cannot connect leaves every image task to REST', async () => {
    const { h, workers } = await workersWith('pushed-noconnect', {
      transport: 'websocket',
      socketUrl: 'ws://127.0.0.1:9/v1', // discard port: nothing listens
      socketRetryAfterMs: 60_000,
    });
    expect(workers.deps.runwareSocket?.ready()).toBeUndefined();
    const job = await h.start(h.input(await h.task({ numberResults: 4, seed: '300' })));
    await expectEveryImageOnce(h, job, '300');
    for (const task of await h.imageTasks(job.input)) {
      expect(task).toMatchObject({ transport: 'rest', deliveryMethod: 'async', charges: 1 });
    }
    expect(workers.deps.runwareSocket?.connections).toBe(0);
  }, 60_000);

  it('a job cancelled mid-job over the socket: only the images already sent are charged, and kept', async () => {
    const { h, workers } = await workersWith('pushed-cancel', { transport: 'websocket' }, 10_000);
    await socketOpen(workers);
    const input = h.input(await h.task({ numberResults: 10, seed: '100' }));
    await h.emulator.setLatency({ imageMs: 2_000 });
    try {
      const job = await h.start(input);
      await h.waitForEvent(input.jobId, (event) => event.stage === 'image_ready');
      // As the API's cancelJob does: the Redis cancel request, then Temporal's cancel.
      await new CancelRequests(h.redis).request(input.jobId);
      await job.handle.cancel();
      await expect(job.handle.result()).rejects.toThrow();
    } finally {
      await h.emulator.setLatency({ imageMs: 600 });
    }
    const tasks = (await h.imageTasks(input)).filter((task) => task !== undefined);
    expect(tasks.length).toBeGreaterThanOrEqual(4);
    expect(tasks.length).toBeLessThanOrEqual(5);
    await vi.waitFor(async () => expect((await h.emulator.inspect()).activeGenerations).toBe(0));
    expect((await h.emulator.inspect()).ledger).toMatchObject({ charges: tasks.length, reserved: 0 });
    expect(tasks.every((task) => task.charges === 1 && task.submissions === 1)).toBe(true);
    // Sent over the socket and drained from it after the cancel: every paid image is the job's.
    expect(tasks.every((task) => task.transport === 'ws')).toBe(true);
    const events = await h.eventsOf(input.jobId);
    expect(events.at(-1)).toMatchObject({ stage: 'cancelled' });
    expect(imagesOf(events)).toHaveLength(tasks.length);
  }, 60_000);

  it('a worker process killed mid-job: its replacement (a new session) picks every task up, one charge each', async () => {
    const h = await Harness.create('pushed-crash', { emulatorUrl: emulator.url ?? '' });
    harnesses.push(h);
    await h.emulator.reset();
    const env = workerProcessEnv(h, emulator.url ?? '', {
      RUNWARE_TRANSPORT: 'websocket',
      WORKER_RUNWARE_TASKS_IN_FLIGHT_PER_JOB: '2',
    });
    const first = await spawnWorkerProcess('pushed-worker-1', env);
    const input = h.input(await h.task({ numberResults: 6, seed: '60' }));
    const job = await h.start(input);
    await h.waitForEvent(input.jobId, (event) => event.stage === 'image_ready');
    await first.kill();
    const second = await spawnWorkerProcess('pushed-worker-2', env);
    try {
      await expectEveryImageOnce(h, job, '60');
    } finally {
      await second.stop();
    }
    // The first worker sent its tasks over its socket (the process waits for it before polling).
    expect((await h.imageTasks(input))[0]).toMatchObject({ transport: 'ws', deliveryMethod: 'sync' });
  }, 90_000);
});
