// What the bench measures with, for other tools: per-process CPU/RSS sampling and percentiles.

export * from './harness/proc-stats.ts';
export * from './stats/percentiles.ts';
