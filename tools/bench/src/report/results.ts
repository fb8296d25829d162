import type { FanoutResult } from '../phases/fanout-phase.ts';
import type { PhaseResult } from '../phases/load-phase.ts';
import type { CpuProfileSummary } from '../profile/cpu-profile.ts';
import type { HistorySummary } from '../profile/temporal-history.ts';
import type { MachineInfo } from './machine.ts';

/**
 * How the emulator makes images: `render` (sharp per image, ~15-25 ms of CPU standing in for Runware's GPUs
 * on the same cores) or `prerendered` (each size rendered once and served again: the platform's own ceiling).
 */
export type EmulatorImages = 'render' | 'prerendered';

/** One measured window, tagged with the emulator mode of the stack it ran on. */
export type BenchPhase = PhaseResult & { images: EmulatorImages };

export interface Overhead {
  images: EmulatorImages;
  latency: string;
  concurrency: number;
  /** (b) - (a), ms, per percentile. */
  p50: number;
  p95: number;
  p99: number;
}

export interface Saturation {
  images: EmulatorImages;
  path: string;
  latency: string;
  maxThroughput: number;
  atConcurrency: number;
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string;
  /** null: not measured, or not at the goal's scale (quick runs). */
  met: boolean | null;
  /** The emulator mode the row is judged on; absent where the mode does not apply (fan-out). */
  images?: EmulatorImages;
  /** The same quantity in the other emulator mode of the run, shown beside, not judged. */
  otherMode?: string;
}

export interface BenchResults {
  date: string;
  /** `git rev-parse --short HEAD`, `+dirty` when the tree had changes at the start of the run. */
  commit: string;
  machine: MachineInfo;
  mode: 'quick' | 'full';
  /** The emulator modes measured, in the order they ran; the last one also ran the realistic sweep and fan-out. */
  emulatorImages: EmulatorImages[];
  settings: Record<string, unknown>;
  phases: BenchPhase[];
  overhead: Overhead[];
  saturation: Saturation[];
  fanout: FanoutResult[];
  /** Fan-out runs that threw (e.g. too many sockets for the box): the count and the error. */
  fanoutFailures: { subscribers: number; error: string }[];
  temporalHistory: {
    images: EmulatorImages;
    latency: string;
    concurrency: number;
    summary: HistorySummary;
  }[];
  cpuProfiles: (CpuProfileSummary & { jobs?: number })[];
  targets: TargetCheck[];
  durationSeconds: number;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** (b) - (a) for every (mode, latency, concurrency) measured on both paths. */
export function overheads(phases: readonly BenchPhase[]): Overhead[] {
  const out: Overhead[] = [];
  for (const b of phases.filter((p) => p.path === 'platform')) {
    const a = phases.find(
      (p) =>
        p.path === 'direct' &&
        p.images === b.images &&
        p.latency === b.latency &&
        p.concurrency === b.concurrency,
    );
    if (!a) continue;
    out.push({
      images: b.images,
      latency: b.latency,
      concurrency: b.concurrency,
      p50: round(b.latencyMs.p50 - a.latencyMs.p50),
      p95: round(b.latencyMs.p95 - a.latencyMs.p95),
      p99: round(b.latencyMs.p99 - a.latencyMs.p99),
    });
  }
  return out;
}

/** The highest throughput per (mode, path, latency). */
export function saturation(phases: readonly BenchPhase[]): Saturation[] {
  const out: Saturation[] = [];
  for (const images of [...new Set(phases.map((p) => p.images))]) {
    for (const path of ['direct', 'platform'] as const) {
      for (const latency of [...new Set(phases.map((p) => p.latency))]) {
        const best = phases
          .filter((p) => p.images === images && p.path === path && p.latency === latency)
          .sort((x, y) => y.throughput - x.throughput)[0];
        if (best)
          out.push({
            images,
            path,
            latency,
            maxThroughput: best.throughput,
            atConcurrency: best.concurrency,
          });
      }
    }
  }
  return out;
}
