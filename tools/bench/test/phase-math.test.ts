import { describe, expect, it } from 'vitest';
import { deliveryTimes, fanoutEvent, perDelivery } from '../src/phases/fanout-phase.ts';
import type { PhaseResult } from '../src/phases/load-phase.ts';
import { saturationWatch } from '../src/run-bench.ts';

const platform = (throughput: number, concurrency: number, p50 = 100, latency = 'none') =>
  ({ throughput, concurrency, latency, latencyMs: { p50 } }) as unknown as PhaseResult;

describe('the 0 ms sweep stops at saturation', () => {
  it('after two levels in a row without 10 % more throughput, from 20 in flight on', () => {
    const saturated = saturationWatch();
    expect([10, 20, 21, 21.5].map((t, i) => saturated(platform(t, [1, 10, 20, 50][i] ?? 0)))).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });
  it('not below 20 in flight, but at once when p50 passes 20 s', () => {
    const saturated = saturationWatch();
    expect(saturated(platform(10, 1))).toBe(false);
    expect(saturated(platform(10, 2))).toBe(false);
    expect(saturated(platform(10, 5))).toBe(false);
    expect(saturated(platform(50, 10, 20_001))).toBe(true);
  });
  it('never at the realistic latency', () => {
    const saturated = saturationWatch();
    for (const c of [20, 50, 100]) expect(saturated(platform(1, c, 30_000, 'realistic'))).toBe(false);
  });
});

describe('fan-out arithmetic', () => {
  it('times only receipts of appended seqs', () => {
    const appended = new Map([
      [5, 100],
      [6, 200],
    ]);
    const receipts = [
      new Map([
        [5, 110],
        [6, 230],
      ]),
      new Map([
        [4, 50],
        [5, 140],
      ]),
    ];
    expect(deliveryTimes(receipts, appended)).toEqual([10, 30, 40]);
  });
  it('gives NaN per delivery when nothing was delivered', () => {
    expect(perDelivery(10, 0)).toBeNaN();
    expect(perDelivery(10, 3)).toBe(3.333);
  });
  it('appends submitted events and ends with a cancelled one', () => {
    const job = { jobId: 'j', runwareTaskUUID: 'rw', last: {} as never };
    expect(fanoutEvent(job, 3, false)).toMatchObject({
      jobId: 'j',
      seq: 3,
      stage: 'submitted',
      data: { runwareTaskUUID: 'rw', numberResults: 1 },
    });
    expect(fanoutEvent(job, 4, true)).toMatchObject({ seq: 4, stage: 'cancelled' });
  });
});
