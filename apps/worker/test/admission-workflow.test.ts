import { randomUUID } from 'node:crypto';
import type { JobState } from '@photomaker/schema';
import { DEADLINE_REASON } from '@photomaker/schema/job';
import { requestSlotSignal } from '@photomaker/temporal';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionBench, MINUTE } from './support/admission-bench.ts';
import { untilHistoryHas } from './support/job-runner.ts';

// The admission workflow's timer branches on a time-skipping server: a hold whose release was lost, and a
// queued job's deadline. Order, continueAsNew, signals and cancel run on the dev server
// (admission-order.test.ts): the time-skipping server sometimes leaves a run that continued as new
// half-closed (listed open, its last workflow task never completed), and with that task's time lock
// held, time stops skipping for every later test of the file.

const MAX_HOLD_MS = 20 * MINUTE;

let bench: AdmissionBench;

beforeAll(async () => {
  // No history bound: these runs never continue as new (see above).
  bench = await AdmissionBench.start('time-skipping', { maxHoldMs: MAX_HOLD_MS, defaultImageMs: 1000 });
});

afterAll(() => bench?.close());

describe('a slot whose holder never releases it (a workflow stuck elsewhere)', () => {
  it('is freed after maxHoldMs, and the next job runs', async () => {
    const tenant = `lost-${randomUUID().slice(0, 6)}`;
    // A job without admission info, asleep in a 10-hour Retry-After (no activity running), is granted a
    // slot it never asked for and so never gives back.
    const stuck = await bench.startJob(tenant, null);
    await untilHistoryHas(stuck.handle, 'timerStartedEventAttributes');
    await bench.admission().signal(requestSlotSignal, bench.slotRequest(stuck.input.jobId, tenant, 1));
    await bench.untilStatuses([stuck.input.jobId], (s) => s[0]?.state === 'running');
    const next = await bench.startJob(tenant);
    await bench.untilStatuses([next.input.jobId], (s) => s[0]?.state === 'queued');
    // Its slot request (a local activity) recorded before time skips.
    await bench.untilSlotRequested(next.handle);
    await bench.env.sleep(MAX_HOLD_MS + 10 * MINUTE);
    expect(((await bench.closedOutcome(next.handle)) as JobState).status).toBe('SUCCEEDED');
    expect(await bench.statuses([stuck.input.jobId, next.input.jobId])).toEqual([]);
    await stuck.handle.terminate('test over');
  }, 120_000);
});

describe('a queued job past its deadline', () => {
  it('ends CANCELLED with the deadline reason, never reaches Runware, leaves the queue', async () => {
    const tenant = `deadline-${randomUUID().slice(0, 6)}`;
    const job = await bench.startJob(tenant, { maxRunningJobs: 0 }, 5 * MINUTE);
    // Queued with its deadline timer set and its slot request recorded, then the clock moves past the deadline.
    await untilHistoryHas(job.handle, 'timerStartedEventAttributes');
    await bench.untilSlotRequested(job.handle);
    await bench.env.sleep(5 * MINUTE + 1_000);
    const state = (await bench.closedOutcome(job.handle)) as JobState;
    expect(state.status).toBe('CANCELLED');
    const events = bench.stubs.stream(job.input.jobId);
    expect(events.map((event) => event.stage)).toEqual(['queued', 'cancelled']);
    expect(events[1]).toMatchObject({ data: { reason: DEADLINE_REASON } });
    expect(bench.stubs.calls.filter((call) => call.jobId === job.input.jobId)).toEqual([]);
    await bench.untilStatuses([job.input.jobId], (s) => s.length === 0);
  }, 120_000);
});
