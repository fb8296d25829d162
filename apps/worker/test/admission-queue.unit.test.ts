import type { JobPriority, SlotRequest } from '@photomaker/temporal';
import { describe, expect, it } from 'vitest';
import { forecastQueue, statusesOf } from '../src/workflows/admission/forecast.ts';
import { AdmissionQueue, emptyQueueState } from '../src/workflows/admission/queue.ts';
import { emptyServiceTimes, ServiceTimes } from '../src/workflows/admission/service-times.ts';

// The admission queue's pure logic: grant rule (priority within a tenant, round-robin across tenants,
// per-tenant and global limits), idempotence, and the forecast that answers positions and ETAs.

const T0 = Date.parse('2026-12-06T12:00:00.000Z');
const service = { model: 'm', width: 512, height: 512, numberResults: 1 };

function req(jobId: string, tenant: string, extra: Partial<SlotRequest> = {}, at = 0): SlotRequest {
  return {
    jobId,
    tenant,
    priority: 'NORMAL',
    weight: 1,
    service,
    requestedAt: new Date(T0 + at).toISOString(),
    ...extra,
  };
}

const ids = (jobs: { jobId: string }[]) => jobs.map((job) => job.jobId);

describe('the grant rule', () => {
  it('starts jobs up to the tenant limit, then one per released slot, FIFO', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    for (let i = 0; i < 4; i++)
      expect(q.request(req(`j${i}`, 'a', { maxRunningJobs: 2 }, i), T0)).toBe('queued');
    expect(ids(q.grant(T0))).toEqual(['j0', 'j1']);
    expect(q.grant(T0)).toEqual([]);
    expect(q.release({ jobId: 'j1', ranMs: 500 })).toBe('freed');
    expect(ids(q.grant(T0 + 500))).toEqual(['j2']);
    expect(q.queuedCount).toBe(1);
    expect(q.runningCount).toBe(2);
  });

  it('HIGH before NORMAL before LOW within a tenant, FIFO within one priority', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    const order: [string, JobPriority][] = [
      ['low1', 'LOW'],
      ['n1', 'NORMAL'],
      ['high1', 'HIGH'],
      ['n2', 'NORMAL'],
      ['high2', 'HIGH'],
      ['low2', 'LOW'],
    ];
    q.request(req('running', 'a', { maxRunningJobs: 1 }), T0);
    q.grant(T0);
    for (const [i, [id, priority]] of order.entries())
      q.request(req(id, 'a', { priority, maxRunningJobs: 1 }, i + 1), T0);
    const started: string[] = [];
    let last = 'running';
    for (let i = 0; i < order.length; i++) {
      q.release({ jobId: last });
      const [next] = q.grant(T0);
      if (!next) throw new Error('nothing granted');
      started.push(next.jobId);
      last = next.jobId;
    }
    expect(started).toEqual(['high1', 'high2', 'n1', 'n2', 'low1', 'low2']);
  });

  it('round-robin across tenants: a flooder with 1,000 queued does not hold back a lone tenant', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    for (let i = 0; i < 1000; i++) q.request(req(`f${i}`, 'flood', { maxInFlight: 2 }, i), T0);
    expect(ids(q.grant(T0))).toEqual(['f0', 'f1']);
    q.request(req('lone', 'lone', { maxInFlight: 2 }, 2000), T0);
    expect(q.grant(T0)).toEqual([]);
    q.release({ jobId: 'f0' });
    // The next free slot is the lone tenant's, not the flooder's 3rd job.
    expect(ids(q.grant(T0))).toEqual(['lone']);
    q.release({ jobId: 'f1' });
    expect(ids(q.grant(T0))).toEqual(['f2']);
  });

  it('the global budget counts weights; a job heavier than the budget runs alone', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    q.request(req('a1', 'a', { weight: 2, maxInFlight: 3 }), T0);
    q.request(req('b1', 'b', { weight: 2, maxInFlight: 3 }), T0);
    q.request(req('c1', 'c', { weight: 5, maxInFlight: 3 }), T0);
    expect(ids(q.grant(T0))).toEqual(['a1']);
    expect(q.inFlightWeight).toBe(2);
    q.release({ jobId: 'a1' });
    expect(ids(q.grant(T0))).toEqual(['b1']);
    q.release({ jobId: 'b1' });
    expect(ids(q.grant(T0))).toEqual(['c1']);
    expect(q.inFlightWeight).toBe(5);
  });

  it('the latest request carries the limits (a reloaded tenants file reaches the queue)', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    q.request(req('a1', 'a', { maxRunningJobs: 1 }), T0);
    q.request(req('a2', 'a', { maxRunningJobs: 1 }), T0);
    expect(ids(q.grant(T0))).toEqual(['a1']);
    q.request(req('a3', 'a', { maxRunningJobs: 3 }), T0);
    expect(ids(q.grant(T0))).toEqual(['a2', 'a3']);
  });
});

describe('idempotence', () => {
  it('a duplicate request of a queued job queues it once; of a running job asks for the grant again', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    expect(q.request(req('j1', 'a', { maxRunningJobs: 1 }), T0)).toBe('queued');
    expect(q.request(req('j2', 'a', { maxRunningJobs: 1 }), T0)).toBe('queued');
    expect(q.request(req('j2', 'a', { maxRunningJobs: 1 }), T0)).toBe('duplicate');
    q.grant(T0);
    expect(q.request(req('j1', 'a', { maxRunningJobs: 1 }), T0)).toBe('running');
    expect(q.queuedCount).toBe(1);
    expect(q.runningCount).toBe(1);
  });

  it('a release of an unknown job changes nothing; a second release of a job is unknown', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    q.request(req('j1', 'a'), T0);
    q.grant(T0);
    const before = JSON.stringify(q.state);
    expect(q.release({ jobId: 'nobody', ranMs: 5 })).toBe('unknown');
    expect(JSON.stringify(q.state)).toBe(before);
    expect(q.release({ jobId: 'j1', ranMs: 5 })).toBe('freed');
    expect(q.release({ jobId: 'j1', ranMs: 5 })).toBe('unknown');
    expect(q.state.lanes).toEqual({});
  });

  it('a release of a queued job takes it out of the queue (cancelled before it started)', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    q.request(req('j1', 'a', { maxRunningJobs: 0 }), T0);
    expect(q.release({ jobId: 'j1' })).toBe('dequeued');
    expect(q.isQueued('j1')).toBe(false);
    expect(q.state.lanes).toEqual({});
  });

  it('malformed signals are dropped, not thrown', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    expect(q.request({} as SlotRequest, T0)).toBe('invalid');
    expect(q.release({} as never)).toBe('unknown');
    expect(q.request(req('j1', 'a', { priority: 'URGENT' as JobPriority, weight: -3 }), T0)).toBe('queued');
    expect(q.state.lanes.a?.queued[0]).toMatchObject({ priority: 'NORMAL', weight: 1 });
  });

  it('carries over: a queue rebuilt from its plain state behaves the same', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    for (let i = 0; i < 3; i++) q.request(req(`a${i}`, 'a', { maxRunningJobs: 1 }, i), T0);
    q.request(req('b0', 'b', { maxRunningJobs: 1 }), T0);
    q.grant(T0);
    const copy = new AdmissionQueue(JSON.parse(JSON.stringify(q.state)), 1000);
    expect(copy.queuedCount).toBe(q.queuedCount);
    expect(copy.inFlightWeight).toBe(q.inFlightWeight);
    expect(copy.request(req('a1', 'a', { maxRunningJobs: 1 }), T0)).toBe('duplicate');
    copy.release({ jobId: 'a0' });
    expect(ids(copy.grant(T0))).toEqual(['a1']);
  });
});

describe('holds that were never released', () => {
  it('expire after maxHoldMs and free their slots', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    q.request(req('j1', 'a', { maxRunningJobs: 1 }), T0);
    q.request(req('j2', 'a', { maxRunningJobs: 1 }), T0);
    q.grant(T0);
    expect(q.nextExpiry(60_000)).toBe(T0 + 60_000);
    expect(q.expire(T0 + 59_999, 60_000)).toEqual([]);
    expect(q.expire(T0 + 60_000, 60_000)).toEqual(['j1']);
    expect(ids(q.grant(T0 + 60_000))).toEqual(['j2']);
  });
});

describe('service times', () => {
  it('falls back from the exact key to the model, to every job, to the default', () => {
    const times = new ServiceTimes(emptyServiceTimes(), 3000);
    const big = { model: 'm', width: 1024, height: 1024, numberResults: 2 };
    expect(times.estimate(big)).toBe(6000);
    times.record({ model: 'other', width: 512, height: 512, numberResults: 4 }, 4000);
    expect(times.estimate(big)).toBe(2000);
    times.record({ model: 'm', width: 512, height: 512, numberResults: 1 }, 500);
    expect(times.estimate(big)).toBe(1000);
    times.record(big, 8000);
    expect(times.estimate(big)).toBe(8000);
    // A key's first samples: its smallest so far (a first job of a kind is often slow), then, trusted
    // from the third, a moving average.
    times.record(big, 3000);
    expect(times.estimate(big)).toBe(3000);
    times.record(big, 4000);
    expect(times.estimate(big)).toBe(3000);
    times.record(big, 5000);
    expect(times.estimate(big)).toBe(3400);
    times.record(big, Number.NaN);
    expect(times.estimate(big)).toBe(3400);
  });

  it('a size with few samples of its own is read off the line through its model and size’s other image counts', () => {
    const times = new ServiceTimes(emptyServiceTimes(), 3000);
    const key = (numberResults: number) => ({ model: 'm', width: 512, height: 512, numberResults });
    for (const ms of [900, 760, 770, 750]) times.record(key(1), ms);
    for (const ms of [3600, 1100]) times.record(key(2), ms);
    // One cold sample of 3 images (3,400 ms): the line through 1 image (758 ms: the smallest of its first
    // three, then one moving-average step) and 2 (1,100 ms) says 1,442 ms, what such a job takes once warm.
    times.record(key(3), 3400);
    expect(times.estimate(key(3))).toBeCloseTo(1442, 6);
    expect(times.estimate(key(4))).toBeCloseTo(1784, 6);
    // Another model, or another size, has a line of its own (none yet: its own sample, or per image).
    const perImage = times.state.model.m?.ms ?? Number.NaN;
    expect(times.estimate({ ...key(3), width: 1024 })).toBeCloseTo(3 * perImage, 6);
    // Trusted once it has samples enough: its own average wins over the line.
    times.record(key(3), 1500);
    times.record(key(3), 1480);
    expect(times.estimate(key(3))).toBe(1480);
  });
});

describe('the forecast', () => {
  it('positions follow the grant rule, ETAs follow the measured service times', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    for (let i = 0; i < 3; i++) q.request(req(`f${i}`, 'flood', { maxInFlight: 1 }, i), T0);
    q.grant(T0);
    q.request(req('lone', 'lone', { maxInFlight: 1 }, 10), T0);
    const forecast = forecastQueue(q.state, q.times, T0);
    expect(forecast.get('lone')).toEqual({ position: 1, startAt: T0 + 1000, finishAt: T0 + 2000 });
    expect(forecast.get('f1')).toEqual({ position: 2, startAt: T0 + 2000, finishAt: T0 + 3000 });
    expect(forecast.get('f2')?.position).toBe(3);
    const statuses = statusesOf(
      ['f0', 'lone', 'nobody'],
      q.state,
      q.times,
      () => forecast,
      T0,
      (id) => q.isQueued(id),
    );
    expect(statuses).toEqual([
      {
        jobId: 'f0',
        state: 'running',
        estimatedStartAt: new Date(T0).toISOString(),
        estimatedFinishAt: new Date(T0 + 1000).toISOString(),
      },
      {
        jobId: 'lone',
        state: 'queued',
        position: 1,
        estimatedStartAt: new Date(T0 + 1000).toISOString(),
        estimatedFinishAt: new Date(T0 + 2000).toISOString(),
      },
    ]);
  });

  it('per-tenant limits run in parallel; a tenant at limit 0 never starts (queued, no position)', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    for (let i = 0; i < 4; i++) q.request(req(`a${i}`, 'a', { maxRunningJobs: 2 }, i), T0);
    q.request(req('z', 'z', { maxRunningJobs: 0 }), T0);
    q.grant(T0);
    const forecast = forecastQueue(q.state, q.times, T0 + 400);
    expect(forecast.get('a2')).toEqual({ position: 1, startAt: T0 + 1000, finishAt: T0 + 2000 });
    expect(forecast.get('a3')?.startAt).toBe(T0 + 1000);
    expect(forecast.has('z')).toBe(false);
    expect(
      statusesOf(
        ['z'],
        q.state,
        q.times,
        () => forecast,
        T0,
        (id) => q.isQueued(id),
      ),
    ).toEqual([{ jobId: 'z', state: 'queued' }]);
  });

  it('an overdue running job is expected to end now', () => {
    const q = new AdmissionQueue(emptyQueueState(), 1000);
    q.request(req('a0', 'a', { maxRunningJobs: 1 }), T0);
    q.request(req('a1', 'a', { maxRunningJobs: 1 }), T0);
    q.grant(T0);
    expect(forecastQueue(q.state, q.times, T0 + 5000).get('a1')?.startAt).toBe(T0 + 5000);
  });
});
