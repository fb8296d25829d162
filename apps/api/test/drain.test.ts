import { randomUUID } from 'node:crypto';
import { type RunningNodeApp, startWorkerApp } from '@photomaker/harness';
import { imageTaskUUID } from '@photomaker/runware';
import { fetch } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectGapFreeResume } from './gap-free.ts';
import {
  baseInput,
  collect,
  GENERATE,
  gql,
  JOB_EVENTS,
  setEmulatorLatency,
  stack,
  startApiProcess,
  tenants,
  wsClient,
} from './helpers.ts';

// SIGTERM of a replica in the middle of a job, as a process manager or Kubernetes sends it: the other
// replicas (sharing nothing but Temporal, Redis and the blob store) finish the job and serve its events.

const who = tenants('drain');
const key = who.drain.key;
type Event = { __typename: string; seq: number; stage: string; runwareTaskUUID?: string };
type Item = { jobEvents: Event };

/** Images of the job: Runware tasks sent one after the other. */
const IMAGES = 8;

const started: RunningNodeApp[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop(5_000)));
});
afterAll(async () => {
  await setEmulatorLatency(0);
});

/** A worker process of its own on the test's own task queue (the shared worker never sees the job). */
async function worker(taskQueue: string): Promise<RunningNodeApp> {
  const app = await startWorkerApp({
    env: {
      ...stack().env,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_HTTP_PORT: '0',
      WORKER_CORE_METRICS_PORT: '0',
      // The drain under test: stop polling, give in-flight activities 1 s, then hand them back.
      WORKER_SHUTDOWN_GRACE: '1s',
      // One image task in flight at a time (a job is one Runware task per image), so the job lasts
      // IMAGES x the emulator's latency and is still mid-way when the first worker is told to stop.
      WORKER_RUNWARE_TASKS_IN_FLIGHT_PER_JOB: '1',
      WORKER_POLL_INITIAL: '50',
      WORKER_POLL_MAX: '200',
    },
  });
  started.push(app);
  return app;
}

async function api(taskQueue: string): Promise<RunningNodeApp> {
  const app = await startApiProcess(who, { TEMPORAL_TASK_QUEUE: taskQueue });
  started.push(app);
  return app;
}

/** Reads a subscription until `stopWhen`, or until the socket closes; returns the close code if it did. */
function watchUntilClosed(url: string, jobId: string, seen: Event[]) {
  const client = wsClient(url, key);
  let closeCode: number | undefined;
  client.on('closed', (event) => {
    closeCode = (event as { code?: number }).code;
  });
  const stream = collect<Item>(client, JOB_EVENTS, { jobId }, (item) => seen.push(item.jobEvents));
  const ended = stream.done.then(
    () => 'completed' as const,
    () => 'errored' as const,
  );
  return { client, ended, closeCode: () => closeCode };
}

/** Follow-up tasks a per-image run may send for one image (the worker's MAX_IMAGE_FOLLOW_UPS). */
const IMAGE_FOLLOW_UPS = 3;

/** Charges of a job's Runware tasks: one task per image, derived from the job's taskUUIDs. */
async function charges(jobTaskUUIDs: Set<string>, images: number): Promise<number> {
  const response = await fetch(`${stack().emulatorUrl}/admin/inspect`);
  const inspection = (await response.json()) as { tasks: Record<string, { charges: number }> };
  const uuids = [...jobTaskUUIDs].flatMap((uuid) =>
    Array.from({ length: images * (IMAGE_FOLLOW_UPS + 1) }, (_, i) =>
      imageTaskUUID(uuid, i % images, Math.floor(i / images)),
    ),
  );
  return [...jobTaskUUIDs, ...uuids].reduce((sum, uuid) => sum + (inspection.tasks[uuid]?.charges ?? 0), 0);
}

describe('SIGTERM of a replica during a running job', () => {
  it('the job completes on the other worker; the subscriber gets 1012 and resumes on the other API gap-free', async () => {
    // 8 images x 3 s, one at a time: the job is mid-way when the replicas are told to stop (the second
    // worker, which bundles its workflows first, takes a while to join on a loaded machine).
    await setEmulatorLatency(3_000);
    const taskQueue = `drain-${randomUUID()}`;
    const [apiA, apiB] = await Promise.all([api(taskQueue), api(taskQueue)]);
    const workerA = await worker(taskQueue);
    const { data, errors } = await gql<{ generatePhotoMaker: { id: string } }>(
      apiA.url ?? '',
      key,
      GENERATE,
      { input: baseInput({ numberResults: IMAGES }) },
    );
    expect(errors).toBeUndefined();
    const jobId = data?.generatePhotoMaker.id ?? '';

    const seen: Event[] = [];
    const first = watchUntilClosed(apiA.url ?? '', jobId, seen);
    await expect
      .poll(() => seen.some((e) => e.__typename === 'JobImageReady'), { timeout: 60_000, interval: 100 })
      .toBe(true);
    // The second worker joins, then the first one is told to stop with an activity in flight.
    const workerB = await worker(taskQueue);
    expect(seen.at(-1)?.__typename).not.toBe('JobSucceeded');
    workerA.process.child.kill('SIGTERM');
    apiA.process.child.kill('SIGTERM');
    const apiStoppedAt = performance.now();

    expect(await first.ended).toBe('errored');
    expect(first.closeCode()).toBe(1012);
    expect(await apiA.process.exited).toEqual({ code: 0, signal: null });
    // The API's drain is bounded (sockets 2 s, HTTP drain, force exit at 15 s).
    expect(performance.now() - apiStoppedAt).toBeLessThan(15_000);
    expect(await workerA.process.exited).toEqual({ code: 0, signal: null });

    // Resume where the closed socket stopped, on the replica that is still up.
    const lastSeq = seen.at(-1)?.seq ?? 0;
    const resumed = wsClient(apiB.url ?? '', key);
    try {
      const rest = (await collect<Item>(resumed, JOB_EVENTS, { jobId, afterSeq: lastSeq }).done).map(
        (i) => i.jobEvents,
      );
      expectGapFreeResume(seen, lastSeq, rest);

      // Finished by the worker that stayed, paid once per image.
      expect(workerB.process.running).toBe(true);
      // The job's own taskUUID (the subscription may have begun after its JobSubmitted event) and any
      // the events named: Runware charged every image once, over their image tasks, each image once.
      const job = await gql<{ job: { status: string; runwareTaskUUID: string | null } }>(
        apiB.url ?? '',
        key,
        'query Job($id: ID!) { job(id: $id) { status runwareTaskUUID } }',
        { id: jobId },
      );
      expect(job.data?.job.status).toBe('SUCCEEDED');
      const taskUUIDs = new Set(
        [...seen, ...rest, { runwareTaskUUID: job.data?.job.runwareTaskUUID ?? undefined }].flatMap((e) =>
          e.runwareTaskUUID ? [e.runwareTaskUUID] : [],
        ),
      );
      expect(taskUUIDs.size).toBeGreaterThan(0);
      expect(await charges(taskUUIDs, IMAGES)).toBe(IMAGES);
    } finally {
      await Promise.all([first.client.dispose(), resumed.dispose()]);
    }
  }, 180_000);
});
