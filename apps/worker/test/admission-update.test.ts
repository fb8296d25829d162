import { admissionWorkflowId, queueStatusesQuery, slotGrantedSignal } from '@photomaker/temporal';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, type StartedJob } from './support/harness.ts';

// The admission fast path (issue #18) on the real dev server: a job whose slot is free gets it in the
// answer of its request update, with no grant signal and no workflow task of its own for the grant.

const { EventType } = proto.temporal.api.enums.v1;

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('admission-update');
  await h.startWorkers();
});

afterAll(() => h?.close());

const admission = { priority: 'NORMAL' as const, weight: 1, maxRunningJobs: 5 };

async function history(job: StartedJob) {
  const events = (await job.handle.fetchHistory()).events ?? [];
  const grants = events.filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === slotGrantedSignal.name,
  ).length;
  const tasks = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
  return { grants, tasks };
}

describe('a job with admission and a free slot', () => {
  it('gets its slot in the update answer, runs in one workflow task, and gives the slot back', async () => {
    // The first request starts the admission workflow (signalWithStart): its grant comes as a signal.
    const first = await h.start(h.input(await h.task(), { tenant: 'update-path', admission }));
    expect((await h.result(first)).status).toBe('SUCCEEDED');
    expect((await history(first)).grants).toBe(1);

    const jobs = [];
    for (let i = 0; i < 3; i++)
      jobs.push(await h.start(h.input(await h.task(), { tenant: 'update-path', admission })));
    for (const job of jobs) expect((await h.result(job)).status).toBe('SUCCEEDED');
    for (const job of jobs) {
      const { grants, tasks } = await history(job);
      expect(grants).toBe(0);
      // The whole job in one workflow task: its slot release is a local activity of that task.
      expect(tasks).toBe(1);
    }
    const queue = h.client.workflow.getHandle(admissionWorkflowId(h.taskQueue));
    const ids = [first, ...jobs].map((job) => job.input.jobId);
    expect(await queue.query(queueStatusesQuery, ids)).toEqual([]);
  });
});
