import { randomUUID } from 'node:crypto';
import type { JobState } from '@photomaker/schema';
import { releaseSlotSignal, requestSlotSignal } from '@photomaker/temporal';
import { CancelledFailure, type WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionBench } from './support/admission-bench.ts';

// The admission workflow on the dev server, with the real job workflow (stub Runware steps) asking it for
// slots: order under a tenant limit, carry-over through continueAsNew, duplicate and unknown signals, a
// re-sent grant, and a queued job cancelled. Its timer branches run on the time-skipping server
// (admission-workflow.test.ts).

let bench: AdmissionBench;

beforeAll(async () => {
  // A short history bound: the runs below continue as new several times.
  bench = await AdmissionBench.start('dev', { maxHistoryEvents: 60, defaultImageMs: 1000 });
});

afterAll(() => bench?.close());

describe('jobs under a tenant limit of 1', () => {
  it('run one at a time in order, across several continueAsNew runs that carry the queue', async () => {
    const tenant = `serial-${randomUUID().slice(0, 6)}`;
    const first = await bench.startJob(tenant);
    bench.held.add(first.input.jobId);
    const rest = [];
    for (let i = 0; i < 6; i++) rest.push(await bench.startJob(tenant));
    const ids = rest.map((job) => job.input.jobId);
    // The first holds the only slot; the rest wait in order.
    const queued = await bench.untilStatuses(
      ids,
      (s) => s.length === 6 && s.every((x) => x.state === 'queued'),
    );
    expect(queued.map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Date.parse(queued[1]?.estimatedStartAt ?? '')).toBeGreaterThan(
      Date.parse(queued[0]?.estimatedStartAt ?? ''),
    );
    const firstRun = (await bench.admission().describe()).runId;
    bench.held.delete(first.input.jobId);
    for (const job of [first, ...rest])
      expect(await bench.closedOutcome(job.handle)).toMatchObject({ status: 'SUCCEEDED' });
    expect(bench.firstCalls().filter((id) => [first.input.jobId, ...ids].includes(id))).toEqual([
      first.input.jobId,
      ...ids,
    ]);
    // The history bound (60 events) was passed: the queue lives on in a later run, with nothing left.
    expect((await bench.admission().describe()).runId).not.toBe(firstRun);
    expect(await bench.statuses([first.input.jobId, ...ids])).toEqual([]);
  }, 120_000);
});

describe('signals', () => {
  it('a duplicate request queues a job once; a release of an unknown job changes nothing', async () => {
    const tenant = `dups-${randomUUID().slice(0, 6)}`;
    const admission = bench.admission();
    // Limit 0: nothing of this tenant ever starts, so the queue can be read at rest.
    await admission.signal(requestSlotSignal, bench.slotRequest('dup-a', tenant, 0));
    await admission.signal(requestSlotSignal, bench.slotRequest('dup-a', tenant, 0));
    await admission.signal(requestSlotSignal, bench.slotRequest('dup-b', tenant, 0));
    const before = await bench.untilStatuses(['dup-a', 'dup-b'], (s) => s.length === 2);
    expect(before.map((s) => [s.jobId, s.state])).toEqual([
      ['dup-a', 'queued'],
      ['dup-b', 'queued'],
    ]);
    await admission.signal(releaseSlotSignal, { jobId: 'ghost', ranMs: 5 });
    // Positions and estimates are read at the query's time: compare what the signal could change.
    const after = await bench.statuses(['dup-a', 'dup-b', 'ghost']);
    expect(after.map((s) => [s.jobId, s.state, s.position])).toEqual(
      before.map((s) => [s.jobId, s.state, s.position]),
    );
    // A release of a queued job takes it out.
    await admission.signal(releaseSlotSignal, { jobId: 'dup-a' });
    await bench.untilStatuses(['dup-a', 'dup-b'], (s) => s.length === 1 && s[0]?.jobId === 'dup-b');
    await admission.signal(releaseSlotSignal, { jobId: 'dup-b' });
  });

  it('a grant to a job whose workflow does not exist frees the slot again', async () => {
    const tenant = `ghost-${randomUUID().slice(0, 6)}`;
    await bench.admission().signal(requestSlotSignal, bench.slotRequest('no-such-job', tenant, 1));
    const real = await bench.startJob(tenant);
    expect(((await bench.closedOutcome(real.handle)) as JobState).status).toBe('SUCCEEDED');
    expect(await bench.statuses(['no-such-job', real.input.jobId])).toEqual([]);
  });

  it('a request of a running job sends its grant again (the job takes the first)', async () => {
    const tenant = `regrant-${randomUUID().slice(0, 6)}`;
    const job = await bench.startJob(tenant);
    bench.held.add(job.input.jobId);
    await bench.untilStatuses([job.input.jobId], (s) => s[0]?.state === 'running');
    const grants = async () => {
      const { events } = await job.handle.fetchHistory();
      return (events ?? []).filter(
        (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'slotGranted',
      ).length;
    };
    // The first grant came in the update's answer (no signal) or, on the fallback, as a signal.
    const before = await grants();
    await bench.admission().signal(requestSlotSignal, bench.slotRequest(job.input.jobId, tenant, 1));
    while ((await grants()) <= before) await new Promise((resolve) => setTimeout(resolve, 20));
    bench.held.delete(job.input.jobId);
    expect(((await bench.closedOutcome(job.handle)) as JobState).status).toBe('SUCCEEDED');
    expect(await bench.statuses([job.input.jobId])).toEqual([]);
  });
});

describe('a queued job', () => {
  it('cancelled: ends CANCELLED, never reaches Runware, and leaves the queue', async () => {
    const tenant = `cancel-${randomUUID().slice(0, 6)}`;
    const job = await bench.startJob(tenant, { maxRunningJobs: 0 });
    await bench.untilStatuses([job.input.jobId], (s) => s[0]?.state === 'queued');
    await job.handle.cancel();
    const result = await bench.closedOutcome(job.handle);
    expect((result as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(bench.stubs.calls.filter((call) => call.jobId === job.input.jobId)).toEqual([]);
    expect(bench.stubs.stream(job.input.jobId).map((event) => event.stage)).toEqual(['queued', 'cancelled']);
    expect(await bench.statuses([job.input.jobId])).toEqual([]);
  });
});
