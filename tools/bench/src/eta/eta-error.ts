import { percentile } from '../stats/percentiles.ts';

/** One job of the ETA run: what the API estimated when it was queued, and what happened. */
export interface EtaSample {
  jobId: string;
  images: number;
  /** Queue position when the estimate was read (1 = next). */
  position: number | null;
  estimatedStartAt: string;
  estimatedFinishAt: string;
  startedAt: string;
  finishedAt: string;
}

export interface ErrorSummary {
  count: number;
  /** |estimate - actual|, seconds. */
  p50: number;
  p90: number;
  max: number;
  /** Mean of estimate - actual, seconds: negative = estimates too early (optimistic). */
  bias: number;
}

export interface EtaReport {
  start: ErrorSummary;
  finish: ErrorSummary;
  /** Finish error relative to the wait it predicted (|error| / (actual finish - when estimated)), percent. */
  finishRelative: { p50: number; p90: number };
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;

export function summarize(errorsMs: readonly number[]): ErrorSummary {
  const abs = errorsMs.map(Math.abs).sort((a, b) => a - b);
  const mean = errorsMs.reduce((sum, e) => sum + e, 0) / Math.max(1, errorsMs.length);
  return {
    count: errorsMs.length,
    p50: seconds(percentile(abs, 50)),
    p90: seconds(percentile(abs, 90)),
    max: seconds(abs.at(-1) ?? Number.NaN),
    bias: seconds(mean),
  };
}

/** p50/p90 of |estimate - actual| for start and finish, and the finish error relative to the wait. */
export function etaReport(samples: readonly EtaSample[], estimatedAt: (jobId: string) => number): EtaReport {
  const at = (iso: string) => Date.parse(iso);
  const startErrors = samples.map((s) => at(s.estimatedStartAt) - at(s.startedAt));
  const finishErrors = samples.map((s) => at(s.estimatedFinishAt) - at(s.finishedAt));
  const relative = samples
    .map((s, i) => {
      const waited = at(s.finishedAt) - estimatedAt(s.jobId);
      return waited > 0 ? (Math.abs(finishErrors[i] ?? 0) / waited) * 100 : Number.NaN;
    })
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return {
    start: summarize(startErrors),
    finish: summarize(finishErrors),
    finishRelative: {
      p50: Math.round(percentile(relative, 50) * 10) / 10,
      p90: Math.round(percentile(relative, 90) * 10) / 10,
    },
  };
}
