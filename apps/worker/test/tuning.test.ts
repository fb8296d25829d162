import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './support/harness.ts';
import { activityRuns } from './support/history.ts';

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('tuning');
  // The global Runware rate: four Runware activities per second on this task queue.
  await h.startWorkers({ tuning: { runwareActivitiesPerSecond: 4 } });
});

afterAll(() => h?.close());

describe('worker tuning', () => {
  it('WORKER_RUNWARE_ACTIVITIES_PER_SECOND throttles Runware activities across the task queue', async () => {
    const task = await h.task();
    const jobs = await Promise.all([...Array(9).keys()].map(() => h.start(h.input(task))));
    for (const job of jobs) expect((await h.result(job)).status).toBe('SUCCEEDED');
    const starts = (await Promise.all(jobs.map((job) => activityRuns(job.handle, 'collectImages'))))
      .flat()
      .map((run) => run.startedAt ?? 0)
      .sort((a, b) => a - b);
    // Unthrottled, nine zero-latency jobs start within a few ms of each other. The server enforces the
    // rate per task queue partition (a burst each, then 4/s shared out), so at least one partition
    // holds three jobs and its last one starts a second or more after the first.
    expect((starts.at(-1) ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(900);
  }, 30_000);
});
