import { randomUUID } from 'node:crypto';
import type { JobState } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { V1Tasks } from '../src/gateway/v1/tasks.ts';
import { jobIdForRunwareTask } from '../src/jobs/ids.ts';
import { createApiMetrics } from '../src/metrics.ts';
import { logger, queuedJob } from './support/in-process.ts';

// /v1 getResponse of a task still waiting for a slot: its processing items carry our extra
// `queuePosition` (Runware's clients ignore unknown fields). The real admission workflow answers it in
// queue-view.test.ts.

function v1(state: (jobId: string) => JobState, positions: Map<string, number>) {
  const asked: string[] = [];
  const tasks = new V1Tasks({
    submit: {
      reserve: async () => ({ ok: true, held: [] }),
      submit: async () => Promise.reject(new Error('no')),
    },
    reads: { get: async (_tenant, jobId) => state(jobId) },
    queue: {
      load: async (jobId) => {
        asked.push(jobId);
        const position = positions.get(jobId);
        return position ? { jobId, state: 'queued', position } : undefined;
      },
    },
    intake: {
      upload: async () => Promise.reject(new Error('no upload expected')),
      checkUpload: async () => Promise.reject(new Error('no dry run expected')),
    },
    estimate: { estimate: async () => Promise.reject(new Error('no estimate expected')) },
    uploads: { get: async () => null, set: async () => 'OK' } as never,
    blobs: { get: async () => undefined },
    imageUrls: { urlFor: () => 'http://images.test/x' },
    metrics: createApiMetrics(),
    logger,
    syncWaitMs: 1_000,
    maxTasks: 4,
  });
  return { tasks, asked };
}

const caller = { tenant: 'acme', limits: {}, requestId: 'r', signal: new AbortController().signal };

describe('/v1 getResponse of a queued task', () => {
  it('adds queuePosition to each processing item of a queued job', async () => {
    const taskUUID = randomUUID();
    const jobId = jobIdForRunwareTask('acme', taskUUID);
    const job = (id: string) => {
      const state = queuedJob('acme', id);
      return { ...state, task: { ...state.task, numberResults: 2 } };
    };
    const { tasks } = v1(job, new Map([[jobId, 4]]));
    const outcome = await tasks.runBatch([{ taskType: 'getResponse', taskUUID }], caller);
    expect(outcome.data).toEqual([
      { taskType: 'photoMaker', taskUUID, status: 'processing', queuePosition: 4 },
      { taskType: 'photoMaker', taskUUID, status: 'processing', queuePosition: 4 },
    ]);
  });

  it('adds nothing for a running job (not asked) or one admission does not know', async () => {
    const running = randomUUID();
    const unknown = randomUUID();
    const runningId = jobIdForRunwareTask('acme', running);
    const { tasks, asked } = v1(
      (id) => (id === runningId ? { ...queuedJob('acme', id), status: 'RUNNING' } : queuedJob('acme', id)),
      new Map(),
    );
    const outcome = await tasks.runBatch(
      [
        { taskType: 'getResponse', taskUUID: running },
        { taskType: 'getResponse', taskUUID: unknown },
      ],
      caller,
    );
    expect(outcome.data).toEqual([
      { taskType: 'photoMaker', taskUUID: running, status: 'processing' },
      { taskType: 'photoMaker', taskUUID: unknown, status: 'processing' },
    ]);
    expect(asked).toEqual([jobIdForRunwareTask('acme', unknown)]);
  });
});
