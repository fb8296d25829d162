import type { FanoutResult } from '../phases/fanout-phase.ts';
import type { PhaseResult } from '../phases/load-phase.ts';
import type { CpuProfileSummary } from '../profile/cpu-profile.ts';
import type { HistorySummary } from '../profile/temporal-history.ts';
import type { MachineInfo } from './machine.ts';

export interface Overhead {
  latency: string;
  concurrency: number;
  /** (b) - (a), ms, per percentile. */
  p50: number;
  p95: number;
  p99: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  /** null: not measured at the target's scale (quick runs). */
  met: boolean | null;
}

export interface BenchResults {
  date: string;
  machine: MachineInfo;
  mode: 'quick' | 'full';
  settings: Record<string, unknown>;
  phases: PhaseResult[];
  overhead: Overhead[];
  saturation: { path: string; latency: string; maxThroughput: number; atConcurrency: number }[];
  fanout: FanoutResult[];
  temporalHistory: { latency: string; concurrency: number; summary: HistorySummary }[];
  cpuProfiles: (CpuProfileSummary & { jobs?: number })[];
  targets: TargetCheck[];
  durationSeconds: number;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** (b) - (a) for every (latency, concurrency) measured on both paths. */
export function overheads(phases: readonly PhaseResult[]): Overhead[] {
  const out: Overhead[] = [];
  for (const b of phases.filter((p) => p.path === 'platform')) {
    const a = phases.find(
      (p) => p.path === 'direct' && p.latency === b.latency && p.concurrency === b.concurrency,
    );
    if (!a) continue;
    out.push({
      latency: b.latency,
      concurrency: b.concurrency,
      p50: round(b.latencyMs.p50 - a.latencyMs.p50),
      p95: round(b.latencyMs.p95 - a.latencyMs.p95),
      p99: round(b.latencyMs.p99 - a.latencyMs.p99),
    });
  }
  return out;
}

export function saturation(phases: readonly PhaseResult[]): BenchResults['saturation'] {
  const out: BenchResults['saturation'] = [];
  for (const path of ['direct', 'platform'] as const) {
    for (const latency of [...new Set(phases.map((p) => p.latency))]) {
      const best = phases
        .filter((p) => p.path === path && p.latency === latency)
        .sort((x, y) => y.throughput - x.throughput)[0];
      if (best) out.push({ path, latency, maxThroughput: best.throughput, atConcurrency: best.concurrency });
    }
  }
  return out;
}

/** The targets, checked against what was measured (reported, never asserted). */
export function targets(results: Pick<BenchResults, 'overhead' | 'saturation' | 'fanout'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at10 = results.overhead.find((o) => o.latency === 'none' && o.concurrency === 10);
  if (at10) {
    checks.push({
      name: 'overhead p50 at 10 in flight (0 ms)',
      target: '<= 25 ms',
      measured: `${at10.p50} ms`,
      met: at10.p50 <= 25,
    });
    checks.push({
      name: 'overhead p99 at 10 in flight (0 ms)',
      target: '<= 100 ms',
      measured: `${at10.p99} ms`,
      met: at10.p99 <= 100,
    });
  }
  const platform = results.saturation.find((s) => s.path === 'platform' && s.latency === 'none');
  if (platform) {
    checks.push({
      name: 'sustained platform throughput (0 ms)',
      target: '>= 100 jobs/s',
      measured: `${platform.maxThroughput} jobs/s at ${platform.atConcurrency} in flight`,
      met: platform.maxThroughput >= 100,
    });
  }
  const biggest = [...results.fanout].sort((a, b) => b.subscribers - a.subscribers)[0];
  if (biggest) {
    checks.push({
      name: `fan-out p99 at ${biggest.subscribers} subscribers`,
      target: biggest.subscribers >= 2000 ? '<= 50 ms' : '<= 50 ms (at 2,000)',
      measured: `${biggest.deliveryMs.p99} ms (${biggest.received}/${biggest.expected} received)`,
      met:
        biggest.subscribers >= 2000 && biggest.deliveryMs.p99 <= 50 && biggest.received === biggest.expected,
    });
  }
  return checks;
}
