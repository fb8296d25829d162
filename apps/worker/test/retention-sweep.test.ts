import { randomUUID } from 'node:crypto';
import type { SweepReport } from '@photomaker/retention';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RetentionActivities, RetentionTotals } from '../src/retention/retention-activities.ts';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../src/retention/retention-schedule.ts';
import { createTimeSkippingEnv } from './support/time-skipping.ts';

// The retention workflow's paging and bounds with stub activities on a time-skipping server, and the
// schedule every worker creates or updates at start on the dev server (the test server has no schedules).
// The sweep itself runs for real in apps/api/test/retention.test.ts.

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Pages answered in order; every call's limit recorded. */
function stubs(pages: Partial<SweepReport>[]) {
  const limits: number[] = [];
  const recorded: RetentionTotals[] = [];
  const activities: RetentionActivities = {
    async sweepRetention({ limit }) {
      limits.push(limit);
      const page = pages[limits.length - 1] ?? {};
      return { jobs: 0, outputImages: 0, referenceImages: 0, postponed: 0, more: false, ...page };
    },
    async recordRetentionRun({ totals }) {
      recorded.push(totals);
    },
  };
  return { activities, limits, recorded };
}

async function run(pages: Partial<SweepReport>[], input: { limit: number; pageSize?: number }) {
  const stub = stubs(pages);
  const taskQueue = `retention-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    activities: stub.activities,
  });
  const result = await worker.runUntil(
    env.client.workflow.execute('retentionSweep', { taskQueue, workflowId: taskQueue, args: [input] }),
  );
  return { ...stub, result: result as RetentionTotals };
}

describe('the retention workflow', () => {
  it('pages while pages come back full, and stops at the run limit', async () => {
    const full = { jobs: 100, more: true };
    const ran = await run([full, full, full, full], { limit: 250, pageSize: 100 });
    expect(ran.limits).toEqual([100, 100, 50]);
    expect(ran.result).toEqual({ jobs: 300, outputImages: 0, referenceImages: 0, postponed: 0, pages: 3 });
    expect(ran.recorded).toEqual([ran.result]);
  });

  it('stops at the first page that is not full, and sums every kind', async () => {
    const ran = await run(
      [
        { jobs: 2, outputImages: 5, referenceImages: 1, more: true },
        { referenceImages: 3, postponed: 1, more: false },
      ],
      { limit: 1000, pageSize: 10 },
    );
    expect(ran.limits).toEqual([10, 10]);
    expect(ran.result).toEqual({ jobs: 2, outputImages: 5, referenceImages: 4, postponed: 1, pages: 2 });
  });
});

describe('the retention schedule (dev server)', () => {
  it('is created once and updated by every later start, overlap SKIP', async () => {
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    const client = new Client({ connection });
    try {
      await client.schedule
        .getHandle(RETENTION_SCHEDULE_ID)
        .delete()
        .catch(() => undefined);
      const options = { taskQueue: 'photomaker', everyMs: 3_600_000, input: { limit: 100 } };
      expect(await ensureRetentionSchedule(client, options)).toBe('created');
      expect(await ensureRetentionSchedule(client, { ...options, everyMs: 900_000 })).toBe('updated');
      const described = await client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
      expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
      expect(described.spec.intervals?.[0]?.every).toBe(900_000);
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionSweep' });
    } finally {
      await connection.close();
    }
  });
});
