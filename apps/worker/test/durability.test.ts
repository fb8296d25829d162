import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import { applyJobEvents, initialJobState, type JobEvent } from '@photomaker/schema';
import { SEARCH_ATTRIBUTES } from '@photomaker/temporal';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Harness, RUNWARE_KEY } from './support/harness.ts';
import { activityRuns, runwareSteps } from './support/history.ts';
import { Receiver } from './support/receiver.ts';
import { spawnWorkerProcess, WORKER_READY, workerProcessEnv } from './support/worker-process.ts';

const CODEC_TOKEN = 'durability-codec-token-0123';

// A slower emulator of our own: images take 1.2 s each, one at a time, so there is a "mid-generation".
let slow: RunningNodeApp;
let h: Harness;
let receiver: Receiver;
const workerLogs: string[] = [];

beforeAll(async () => {
  slow = await startNodeApp({
    name: 'slow-emulator',
    entry: 'apps/runware-emulator/src/main.ts',
    args: [
      '--port',
      '0',
      '--latency',
      JSON.stringify({ requestMs: 0, imageMs: 1200, stepMs: 0, parallelism: 1 }),
    ],
  });
  h = await Harness.create('durability', { emulatorUrl: slow.url ?? '' });
  receiver = await new Receiver().start();
});

afterAll(async () => {
  await h?.close();
  await receiver?.stop();
  await slow?.stop();
});

/** A worker process; one image task in flight per job unless told otherwise, so images come one by one. */
function spawnWorker(name: string, tasksInFlight = 1): Promise<RunningNodeApp> {
  const env = workerProcessEnv(h, slow.url ?? '', {
    WORKER_CODEC_TOKEN: CODEC_TOKEN,
    WORKER_CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233',
    WORKER_RUNWARE_TASKS_IN_FLIGHT_PER_JOB: String(tasksInFlight),
  });
  return spawnWorkerProcess(name, env, (line) => workerLogs.push(line));
}

const stagesOf = (events: JobEvent[]) => events.map((event) => event.stage);
const imageIndexes = (events: JobEvent[]) =>
  events.flatMap((event) => (event.stage === 'image_ready' ? [event.data.index] : []));

describe('a worker process killed with SIGKILL mid-generation', () => {
  it('is replaced by a new worker that finishes every job, paying Runware once, with a gap-free event stream', async () => {
    const first = await spawnWorker('worker-1');
    const batch = await h.start(h.input(await h.task({ numberResults: 3 })));
    await h.waitForEvent(batch.input.jobId, (event) => event.stage === 'image_ready');
    const single = await h.start(h.input(await h.task()));
    // Sync delivery: the request is in flight (the image takes 1.2 s) when the worker dies. `submitted` is
    // published just before the request is sent, so wait until the emulator holds the task.
    await h.waitForEvent(single.input.jobId, (event) => event.stage === 'submitted');
    await vi.waitFor(async () => expect(await h.emulator.task(single.input.runwareTaskUUID)).toBeDefined(), {
      timeout: 5_000,
      interval: 10,
    });
    await first.kill();
    expect(first.process.child.signalCode).toBe('SIGKILL');
    // Mid-generation: some images of the batch are stored, not all, and the single image is pending.
    const before = imageIndexes(await h.events.range(batch.input.jobId, 0));
    expect(before.length).toBeGreaterThanOrEqual(1);
    expect(before.length).toBeLessThan(3);
    expect(imageIndexes(await h.events.range(single.input.jobId, 0))).toEqual([]);

    const second = await spawnWorker('worker-2');
    const [batchState, singleState] = await Promise.all([h.result(batch), h.result(single)]);
    expect(batchState.status).toBe('SUCCEEDED');
    expect(batchState.images.map((image) => image.index)).toEqual([0, 1, 2]);
    expect(singleState.status).toBe('SUCCEEDED');
    expect(singleState.images).toHaveLength(1);

    // Each image generated and paid exactly once: the new worker found the image task in flight with
    // getTaskDetails and polled it, and sent only the ones never sent. The sync task was re-sent (same
    // taskUUID) and polled.
    expect(await h.chargesOf(batch.input)).toEqual({ charges: 3, submissions: 3, tasks: 3 });
    const singleTask = await h.emulator.task(single.input.runwareTaskUUID);
    expect(singleTask).toMatchObject({ charges: 1, generations: 1 });
    // The single image's local step died with the worker (its workflow task timed out, nothing recorded);
    // the new worker's local step re-sent the taskUUID, found it accepted and handed the run to the
    // task-queue activity, which polled it.
    expect(await runwareSteps(single.handle)).toMatchObject([
      { kind: 'local', outcome: 'completed' },
      { kind: 'activity', outcome: 'completed' },
    ]);

    for (const job of [batch, single]) {
      const events = await h.eventsOf(job.input.jobId);
      const stages = stagesOf(events);
      for (const stage of ['queued', 'submitted', 'succeeded'] as const) {
        expect(stages.filter((s) => s === stage)).toHaveLength(1);
      }
      expect(imageIndexes(events)).toEqual(job === batch ? [0, 1, 2] : [0]);
    }

    const url = (await second.process.waitForLine(WORKER_READY))[1];
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/photomaker_jobs_total\{[^}]*outcome="succeeded"[^}]*\} 2/);
    expect(metrics).toMatch(
      /photomaker_runware_request_duration_seconds_bucket\{[^}]*task_type="getResponse"/,
    );
    expect(metrics).toContain('temporal_');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // The Temporal UI's codec endpoint decodes this job's encrypted input for an operator.
    const history = await h.client.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: batch.handle.workflowId },
    });
    const input = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
    // The UI is given `<worker>/codec/<token>` (launcher) and posts to `.../decode` under it.
    const decoded = await fetch(`${url}/codec/${CODEC_TOKEN}/decode`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: 'http://127.0.0.1:8233',
        'x-namespace': 'default',
      },
      body: JSON.stringify({
        payloads: [
          {
            metadata: Object.fromEntries(Object.entries(input?.metadata ?? {}).map(([k, v]) => [k, b64(v)])),
            data: b64(input?.data),
          },
        ],
      }),
    });
    expect(decoded.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    const body = (await decoded.json()) as { payloads: { data: string }[] };
    expect(Buffer.from(body.payloads[0]?.data ?? '', 'base64').toString()).toContain(batch.input.jobId);

    // Graceful shutdown: a delivery in flight when SIGTERM arrives still completes.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    receiver.respond = async (request) => {
      if (request.path.startsWith('/slow')) await held;
      return 200;
    };
    const delivering = await h.start(h.input(await h.task({ webhookURL: receiver.url('/slow/hook') })));
    await h.waitForEvent(delivering.input.jobId, (event) => event.stage === 'delivering');
    const deadline = Date.now() + 10_000;
    while (!receiver.arrivals.some((request) => request.path.startsWith('/slow'))) {
      if (Date.now() > deadline) throw new Error('the webhook never arrived');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    second.process.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    const exit = await second.process.exited;
    expect(exit.code).toBe(0);
    expect(await activityRuns(delivering.handle, 'deliverWebhook')).toMatchObject([
      { attempt: 1, outcome: 'completed' },
    ]);
    await delivering.handle.terminate('test over');

    // Neither process ever logged the Runware key or image bytes.
    const logs = workerLogs.join('\n');
    expect(logs).toContain('worker ready');
    expect(logs).not.toContain(RUNWARE_KEY);
    expect(logs).not.toMatch(/data:image\/|iVBORw0KGgo|[A-Za-z0-9+/]{200,}/);
  }, 90_000);
});

describe('a worker killed between submitting image tasks and their first result', () => {
  it('is recovered with getTaskDetails: every image, one charge each, no task sent twice', async () => {
    const first = await spawnWorker('worker-3', 2);
    const job = await h.start(h.input(await h.task({ numberResults: 4, seed: '500' })));
    // Image 0's task is at the emulator (its image takes 1.2 s): kill before any result comes back.
    const [image0] = h.imageTaskUUIDs(job.input);
    await vi.waitFor(async () => expect(await h.emulator.task(image0 ?? '')).toBeDefined(), {
      timeout: 10_000,
      interval: 10,
    });
    await first.kill();
    expect(imageIndexes(await h.events.range(job.input.jobId, 0))).toEqual([]);
    const detailsBefore = (await h.emulator.inspect()).taskTypes.getTaskDetails ?? 0;

    const second = await spawnWorker('worker-4', 2);
    try {
      const state = await h.result(job);
      expect(state.status).toBe('SUCCEEDED');
      expect(state.images.map((image) => image.seed).sort()).toEqual(['500', '501', '502', '503']);
      // The new attempt asked Runware what it holds instead of sending again: each task sent once.
      expect(await h.chargesOf(job.input)).toEqual({ charges: 4, submissions: 4, tasks: 4 });
      expect((await h.emulator.inspect()).taskTypes.getTaskDetails ?? 0).toBeGreaterThan(detailsBefore);
      expect(imageIndexes(await h.eventsOf(job.input.jobId))).toEqual([0, 1, 2, 3]);
    } finally {
      await second.stop();
    }
  }, 90_000);
});

describe('progress and cancellation', () => {
  let inProcess: Harness;

  beforeAll(async () => {
    inProcess = await Harness.create('cancel', { emulatorUrl: slow.url ?? '' });
    await inProcess.startWorkers({ settings: { tasksInFlightPerJob: 1 } });
  });
  afterAll(() => inProcess?.close());

  it('shows images in the event stream as they arrive, and the status search attribute follows', async () => {
    const job = await inProcess.start(inProcess.input(await inProcess.task({ numberResults: 3 })));
    await inProcess.waitForEvent(job.input.jobId, (event) => event.stage === 'image_ready');
    // The stream has each image the moment it is stored (what the API folds for readers and
    // subscribers); the workflow's query has them once the per-image run returns.
    const midway = applyJobEvents(initialJobState(job.input), await inProcess.eventsOf(job.input.jobId));
    expect(midway.status).toBe('RUNNING');
    expect(midway.images.length).toBeGreaterThanOrEqual(1);
    expect(midway.images.length).toBeLessThan(3);
    const description = await job.handle.describe();
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(SEARCH_ATTRIBUTES.tenant)).toBe('tenant-test');
    const final = await inProcess.result(job);
    expect(final.images).toHaveLength(3);
    expect((await job.handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe(
      'SUCCEEDED',
    );
  }, 30_000);

  it('a single-image job cancelled during its local step ends consistently, paid once', async () => {
    const input = inProcess.input(await inProcess.task());
    const job = await inProcess.start(input);
    // The sync request (1.2 s) is in flight inside the job's first workflow task.
    await inProcess.waitForEvent(job.input.jobId, (event) => event.stage === 'submitted');
    await job.handle.cancel();
    const final = await inProcess.result(job);
    // The cancellation reaches the workflow only with its next task (the server refuses to let the first
    // one complete the job; the retried task adopts what the step published): by then the step has
    // stored the image and written the end, so the job has succeeded (a cancellation that came too
    // late), and its result, query and event stream all say so.
    expect(final).toMatchObject({ status: 'SUCCEEDED', seq: 5 });
    const events = await inProcess.eventsOf(job.input.jobId);
    expect(stagesOf(events)).toEqual([
      'queued',
      'uploading_references',
      'submitted',
      'image_ready',
      'succeeded',
    ]);
    expect(await inProcess.query(job)).toEqual(final);
    const history = (await job.handle.fetchHistory()).events ?? [];
    expect(history.some((event) => event.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
    expect(await inProcess.emulator.task(input.runwareTaskUUID)).toMatchObject({ charges: 1 });
  }, 30_000);

  it('a cancelled job stops polling Runware, skips deliveries and ends CANCELLED', async () => {
    const task = await inProcess.task({ numberResults: 2, webhookURL: receiver.url('/cancelled/hook') });
    const input = inProcess.input(task);
    // Runware keeps reporting "processing": the activity is mid-poll when the cancellation comes, and
    // stays so through the time a cancelled job gives tasks already sent (cancelDrainMs, 3 s here).
    await inProcess.stuck(input);
    const job = await inProcess.start(input);
    await inProcess.waitForEvent(job.input.jobId, (event) => event.stage === 'submitted');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await job.handle.cancel();
    const error = await job.handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

    // The Runware activity received the cancellation (heartbeat -> AbortSignal) and stopped polling.
    const collects = await activityRuns(job.handle, 'collectImages');
    expect(collects.at(-1)?.outcome).toBe('canceled');
    const pollsOf = async () =>
      (await inProcess.imageTasks(input)).reduce((sum, task) => sum + (task?.polls ?? 0), 0);
    const polls = await pollsOf();
    expect(polls).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await pollsOf()).toBe(polls);
    // One image in flight per job here: the second image was never sent, so never charged.
    expect((await inProcess.imageTasks(input))[1]).toBeUndefined();

    const events = await inProcess.eventsOf(job.input.jobId);
    expect(events.at(-1)?.stage).toBe('cancelled');
    expect(stagesOf(events)).not.toContain('delivering');
    // No image was delivered; the end was told (default webhookEvents): one FAILED event saying CANCELLED.
    const posts = receiver.received('POST', '/cancelled');
    expect(posts.map((post) => post.headers['webhook-id'])).toEqual([`whe_${job.input.jobId}_failed`]);
    expect(JSON.parse(posts[0]?.body.toString('utf8') ?? '{}')).toMatchObject({
      type: 'job.failed',
      data: { status: 'CANCELLED', reason: 'cancelled by request' },
    });
    const final = await inProcess.query(job);
    expect(final).toMatchObject({ status: 'CANCELLED', stage: 'cancelled' });
    expect((await job.handle.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe(
      'CANCELLED',
    );
  }, 30_000);
});
