import { imageTaskUUID } from '@photomaker/runware';
import { describe, expect, it } from 'vitest';
import { buildChecks, type SubmittedJob } from '../src/checks.ts';
import { planJob } from '../src/faults.ts';
import { newRecord, SubscriberPool } from '../src/subscriber.ts';
import { WebhookReceiver } from '../src/webhook-receiver.ts';

// The chaos checks must be able to fail: each broken promise below turns exactly its check red.
const pool = () => new SubscriberPool('http://127.0.0.1:1', 'unused');
const item = (seq: number, status = 'RUNNING', extra: Record<string, unknown> = {}) => ({
  __typename: 'JobSubmitted',
  seq,
  status,
  ...extra,
});

function scenario() {
  const subscribers = pool();
  const job: SubmittedJob = { plan: planJob(2), jobId: 'job-2', done: Promise.resolve() };
  const record = newRecord(job.jobId);
  subscribers.records.set(job.jobId, record);
  subscribers.accept(record, {
    __typename: 'JobSnapshot',
    seq: 1,
    status: 'QUEUED',
    job: { status: 'QUEUED', runwareTaskUUID: 'rw-1', images: [], error: null },
  });
  subscribers.accept(record, item(2, 'RUNNING', { runwareTaskUUID: 'rw-1' }));
  subscribers.accept(record, item(3, 'RUNNING'));
  subscribers.accept(record, item(4, 'SUCCEEDED'));
  const states = new Map([
    [job.jobId, { status: 'SUCCEEDED', images: [{ index: 0, imageUUID: 'img-0' }], error: null }],
  ]);
  return {
    subscribers,
    job,
    record,
    states,
    tasks: { 'rw-1': { charges: 1 } } as Record<string, { charges: number }>,
    ledgerCharges: 1,
  };
}

const run = (s: ReturnType<typeof scenario>) =>
  Object.fromEntries(
    buildChecks({
      submitted: [s.job],
      states: s.states,
      subscribers: s.subscribers,
      receiver: new WebhookReceiver(`whsec_${Buffer.alloc(32, 1).toString('base64')}`),
      tasks: s.tasks,
      ledgerCharges: s.ledgerCharges,
      disruptions: [],
      schedule: [],
    }).map((c) => [c.name.split(' ').slice(0, 3).join(' '), c.ok]),
  );

describe('chaos checks', () => {
  it('pass for a clean run', () => {
    expect(Object.values(run(scenario())).every(Boolean)).toBe(true);
  });
  it('catch a gap, a duplicate seq and a missing terminal event', () => {
    const gap = scenario();
    gap.subscribers.accept(gap.record, item(6));
    expect(run(gap)['every subscriber saw']).toBe(false);
    const dup = scenario();
    dup.subscribers.accept(dup.record, item(3));
    expect(run(dup)['every subscriber saw']).toBe(false);
    const live = scenario();
    live.subscribers.accept(live.record, {
      __typename: 'JobQueued',
      seq: 4,
      status: 'QUEUED',
      durable: false,
    });
    expect(run(live)['every subscriber saw']).toBe(true);
    const silent = scenario();
    silent.record.terminal = undefined;
    expect(run(silent)['every subscriber saw']).toBe(false);
  });
  it('catch a double charge, a job that did not end and a job that failed when it should not have', () => {
    const charged = scenario();
    charged.tasks['rw-1'] = { charges: 2 };
    charged.ledgerCharges = 2;
    expect(run(charged)['Runware charged each']).toBe(false);
    const running = scenario();
    running.states.set('job-2', { status: 'RUNNING', images: [], error: null });
    expect(run(running)['every job reached']).toBe(false);
    const failed = scenario();
    failed.states.set('job-2', { status: 'FAILED', images: [], error: { code: 'inferenceError' } } as never);
    expect(run(failed)['jobs that should']).toBe(false);
  });
  it('sum a multi-image job over its per-image tasks (first and follow-up), catching a double charge', () => {
    const multi = scenario();
    multi.job.plan = { ...multi.job.plan, numberResults: 2 };
    multi.tasks = {
      [imageTaskUUID('rw-1', 0)]: { charges: 1 },
      // Image 1's first task failed (not charged); its follow-up made it.
      [imageTaskUUID('rw-1', 1)]: { charges: 0 },
      [imageTaskUUID('rw-1', 1, 1)]: { charges: 1 },
    };
    multi.ledgerCharges = 2;
    expect(run(multi)['Runware charged each']).toBe(true);
    multi.tasks[imageTaskUUID('rw-1', 1, 1)] = { charges: 2 };
    multi.ledgerCharges = 3;
    expect(run(multi)['Runware charged each']).toBe(false);
  });
});
