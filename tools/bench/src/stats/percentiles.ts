export interface Distribution {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (exact on the recorded values, no bucketing). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Rounds every number in a distribution (for reports). */
export function rounded(d: Distribution, digits = 1): Distribution {
  const f = 10 ** digits;
  const r = (v: number) => (Number.isFinite(v) ? Math.round(v * f) / f : v);
  return {
    count: d.count,
    min: r(d.min),
    mean: r(d.mean),
    p50: r(d.p50),
    p95: r(d.p95),
    p99: r(d.p99),
    max: r(d.max),
  };
}
