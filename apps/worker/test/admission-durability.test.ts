import { type RunningNodeApp, startNodeApp } from '@photomaker/harness';
import { admissionWorkflowId, queueStatusesQuery } from '@photomaker/temporal';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Harness } from './support/harness.ts';
import { spawnWorkerProcess, workerProcessEnv } from './support/worker-process.ts';

// The admission queue survives its worker: jobs waiting behind a tenant limit of one, the worker process
// killed with SIGKILL while one runs and the others wait, a new worker started: every job runs, one at a
// time, in the order they were queued. Real dev server, redis-server, a slow emulator of its own.

let slow: RunningNodeApp;
let h: Harness;

beforeAll(async () => {
  slow = await startNodeApp({
    name: 'slow-emulator',
    entry: 'apps/runware-emulator/src/main.ts',
    args: [
      '--port',
      '0',
      '--latency',
      JSON.stringify({ requestMs: 0, imageMs: 700, stepMs: 0, parallelism: 1 }),
    ],
  });
  h = await Harness.create('admission-durability', { emulatorUrl: slow.url ?? '' });
});

afterAll(async () => {
  await h?.close();
  await slow?.stop();
});

const spawnWorker = (name: string) => spawnWorkerProcess(name, workerProcessEnv(h, slow.url ?? ''));

describe('queued jobs and a worker killed with SIGKILL', () => {
  it('run after a new worker starts, one at a time, in queue order', async () => {
    const first = await spawnWorker('admission-worker-1');
    const admission = { priority: 'NORMAL' as const, weight: 1, maxRunningJobs: 1 };
    const jobs = [];
    for (let i = 0; i < 4; i++)
      jobs.push(
        await h.start(h.input(await h.task({ numberResults: 2 }), { tenant: 'queue-kill', admission })),
      );
    const ids = jobs.map((job) => job.input.jobId);
    const queue = h.client.workflow.getHandle(admissionWorkflowId(h.taskQueue));
    await vi.waitFor(
      async () => {
        const statuses = await queue.query(queueStatusesQuery, ids);
        expect(statuses.map((s) => s.state)).toEqual(['running', 'queued', 'queued', 'queued']);
      },
      // A minute on a loaded CI machine: the first worker process may still be loading.
      { timeout: 60_000, interval: 100 },
    );
    await first.kill();
    expect(first.process.child.signalCode).toBe('SIGKILL');

    const second = await spawnWorker('admission-worker-2');
    try {
      const states = [];
      for (const job of jobs) states.push(await h.result(job));
      for (const state of states) expect(state.status).toBe('SUCCEEDED');
      const byStart = [...states].sort(
        (a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''),
      );
      expect(byStart.map((state) => state.jobId)).toEqual(ids);
      for (let i = 1; i < byStart.length; i++)
        expect(Date.parse(byStart[i]?.startedAt ?? '')).toBeGreaterThanOrEqual(
          Date.parse(byStart[i - 1]?.finishedAt ?? ''),
        );
      expect(await queue.query(queueStatusesQuery, ids)).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 180_000);
});
