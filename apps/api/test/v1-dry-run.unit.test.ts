import { randomUUID } from 'node:crypto';
import type { PhotoMakerParams } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { V1Tasks } from '../src/gateway/v1/tasks.ts';
import { EstimateJob } from '../src/jobs/estimate-job.ts';
import { createApiMetrics } from '../src/metrics.ts';
import type { Pricer } from '../src/pricing/runware-pricer.ts';
import { PNG_DATA_URI } from './helpers.ts';
import { logger } from './support/in-process.ts';

// A /v1 dry run under the admission rules: the real V1Tasks and EstimateJob, their edges faked. The
// real-stack suite (dry-run.test.ts) runs it against Redis, Temporal and the emulator.

/** V1Tasks whose reservations and submissions fail the test; the pricer answers 0.0021 USD per call. */
function dryTasks() {
  const asked: PhotoMakerParams[] = [];
  const reserved: unknown[] = [];
  const pricer: Pricer = {
    price: async (params) => {
      asked.push(params);
      return { kind: 'priced', costUsd: 0.0021 };
    },
  };
  const estimate = new EstimateJob({
    intake: { checkInputImages: async (_tenant, values) => values.map(() => undefined) },
    guard: { check: async () => ({}) as never },
    pricer,
    logger,
  });
  const tasks = new V1Tasks({
    submit: {
      reserve: async (...args) => {
        reserved.push(args);
        const refusal = { code: 'RATE_LIMITED', limitName: 'maxQueuedJobs', limit: 1, current: 5 } as const;
        return { ok: false, refusal: { ...refusal, retryAfterSeconds: 5 } };
      },
      submit: async () => Promise.reject(new Error('no submission expected')),
    },
    reads: { get: async () => undefined },
    intake: {
      upload: async () => Promise.reject(new Error('no upload expected')),
      checkUpload: async () => undefined as never,
    },
    estimate,
    uploads: { get: async () => null, set: async () => 'OK' } as never,
    blobs: { get: async () => undefined },
    imageUrls: { urlFor: () => 'http://images.test/x' },
    metrics: createApiMetrics(),
    logger,
    syncWaitMs: 1_000,
    maxTasks: 4,
  });
  return { tasks, asked, reserved };
}

const caller = {
  tenant: 'acme',
  limits: {},
  requestId: 'r',
  signal: new AbortController().signal,
  dryRun: true,
};

const task = (overrides: Record<string, unknown> = {}) => ({
  taskType: 'photoMaker',
  taskUUID: randomUUID(),
  positivePrompt: 'a portrait',
  model: 'civitai:139562@344487',
  inputImages: [PNG_DATA_URI],
  width: 512,
  height: 512,
  steps: 4,
  ...overrides,
});

describe('/v1 dry run', () => {
  it('reserves nothing (a full queue does not refuse it) and prices one image task per image', async () => {
    const { tasks, asked, reserved } = dryTasks();
    const four = task({ numberResults: 4, priority: 'HIGH' });
    const one = task();
    const outcome = await tasks.runBatch([four, one], caller);
    expect(outcome.errors).toEqual([]);
    expect(outcome.data).toEqual([
      { taskType: 'photoMaker', taskUUID: four.taskUUID, cost: 0.0084 },
      { taskType: 'photoMaker', taskUUID: one.taskUUID, cost: 0.0021 },
    ]);
    expect(reserved).toEqual([]);
    // As the worker runs a job: one Runware task of one image per image.
    expect(asked.map((params) => params.numberResults)).toEqual([1, 1]);
  });

  it('checks the job options a submission checks; with regenerateBelow, maxCost prices every extra image', async () => {
    const { tasks, asked } = dryTasks();
    const extras = task({ numberResults: 2, minLikeness: 0.7, regenerateBelow: 2 });
    const bad = task({ numberResults: 2, regenerateBelow: 1 });
    const outcome = await tasks.runBatch([extras, bad], caller);
    expect(outcome.data).toEqual([
      { taskType: 'photoMaker', taskUUID: extras.taskUUID, cost: 0.0042, maxCost: 0.0084 },
    ]);
    expect(outcome.errors).toMatchObject([
      { code: 'invalidRegenerateBelow', parameter: 'regenerateBelow', taskUUID: bad.taskUUID },
    ]);
    expect(asked).toHaveLength(1);
  });

  it('refuses a bad priority as a submission would (invalidPriority), pricing nothing', async () => {
    const { tasks, asked } = dryTasks();
    const bad = task({ priority: 'URGENT' });
    const outcome = await tasks.runBatch([bad], caller);
    expect(outcome.data).toEqual([]);
    expect(outcome.errors).toMatchObject([
      { code: 'invalidPriority', parameter: 'priority', taskType: 'photoMaker', taskUUID: bad.taskUUID },
    ]);
    expect(asked).toEqual([]);
  });

  it('without the dry run, the same batch is refused by the full queue', async () => {
    const { tasks, reserved } = dryTasks();
    const outcome = await tasks.runBatch([task()], { ...caller, dryRun: false });
    expect(outcome.errors).toMatchObject([{ code: 'rateLimitExceeded', limitName: 'maxQueuedJobs' }]);
    expect(reserved).toHaveLength(1);
  });
});
