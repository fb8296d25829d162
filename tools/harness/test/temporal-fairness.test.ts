import { jobTaskPriority } from '@photomaker/temporal';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { startTemporal } from '../src/index.ts';

// The dev server the platform starts dispatches a task queue's backlog fairly across fairness keys (the
// jobs' tenants): a lone tenant's workflow task queued behind a flood of another tenant's is handed out
// among the first few, not after the flood. Without fairness the same backlog is FIFO: the control run
// shows the test fails when the server config or the key goes missing. Raw polls, no worker: what the
// matching service hands out, one task at a time, is what a busy worker would get next. Both runs use one
// task queue partition (the fairness config sets it; the control sets it alone), so the only difference is
// fairness: with the default 4 partitions polled at random, the control's position was anywhere from 69 to
// 164 of 201.

const FLOOD = 200;

/** The 1-based position at which the lone tenant's task is handed out of a backlog of FLOOD + 1 tasks. */
async function lonePosition(fairness: boolean): Promise<number> {
  const onePartition = [
    '--dynamic-config-value',
    'matching.numTaskqueueReadPartitions=1',
    '--dynamic-config-value',
    'matching.numTaskqueueWritePartitions=1',
  ];
  const temporal = await startTemporal({ fairness, ...(fairness ? {} : { extraArgs: onePartition }) });
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const client = new Client({ connection });
    const taskQueue = `fairness-${fairness}`;
    const start = (tenant: string, id: string) =>
      client.workflow.start('probe', { taskQueue, workflowId: id, priority: jobTaskPriority(tenant) });
    const poll = async () => {
      const task = await connection.withDeadline(Date.now() + 10_000, () =>
        connection.workflowService.pollWorkflowTaskQueue({
          namespace: 'default',
          taskQueue: { name: taskQueue },
          identity: 'fairness-probe',
        }),
      );
      return task.workflowExecution?.workflowId;
    };
    // A queue in use has long since switched to fairness mode (a switch drains the backlog it had first).
    await start('warm', 'warm');
    expect(await poll()).toBe('warm');
    for (let i = 0; i < FLOOD; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => start('flooder', `flood-${i + j}`)));
    }
    const lone = await start('lone', 'lone');
    expect((await lone.describe()).raw.workflowExecutionInfo?.priority?.fairnessKey).toBe('lone');
    for (let position = 1; position <= FLOOD + 1; position++) {
      if ((await poll()) === 'lone') return position;
    }
    throw new Error('the lone task was never handed out');
  } finally {
    await connection.close();
    await temporal.stop();
  }
}

describe('Temporal task-queue fairness on the dev server', () => {
  it('hands out a lone tenant task among the first few, ahead of an earlier flood of another tenant', async () => {
    expect(await lonePosition(true)).toBeLessThanOrEqual(FLOOD / 5);
  }, 180_000);

  it('control: without fairness the backlog is FIFO and the lone task waits behind most of the flood', async () => {
    expect(await lonePosition(false)).toBeGreaterThan(FLOOD / 2);
  }, 180_000);
});
