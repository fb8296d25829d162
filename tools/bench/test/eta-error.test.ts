import { describe, expect, it } from 'vitest';
import { type EtaSample, etaReport, summarize } from '../src/eta/eta-error.ts';

const T0 = Date.parse('2026-12-06T18:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

describe('ETA error', () => {
  it('p50/p90 of absolute errors, with the signed bias', () => {
    const errors = [-4_000, -2_000, 1_000, 3_000, 10_000].map((e) => e);
    expect(summarize(errors)).toEqual({ count: 5, p50: 3, p90: 10, max: 10, bias: 1.6 });
  });

  it('compares each estimate with the actual start and finish', () => {
    const samples: EtaSample[] = [
      // Estimated to start at 10 s and end at 20 s; started at 12 s, ended at 19 s.
      {
        jobId: 'a',
        images: 1,
        position: 1,
        estimatedStartAt: at(10),
        estimatedFinishAt: at(20),
        startedAt: at(12),
        finishedAt: at(19),
      },
      {
        jobId: 'b',
        images: 4,
        position: 2,
        estimatedStartAt: at(20),
        estimatedFinishAt: at(40),
        startedAt: at(20),
        finishedAt: at(50),
      },
    ];
    const report = etaReport(samples, () => T0);
    expect(report.start).toMatchObject({ count: 2, p50: 0, p90: 2, bias: -1 });
    expect(report.finish).toMatchObject({ count: 2, p50: 1, p90: 10, bias: -4.5 });
    // a: 1 s off over a 19 s wait; b: 10 s over 50 s.
    expect(report.finishRelative).toEqual({ p50: 5.3, p90: 20 });
  });
});
