import type { PhaseSettings } from './phases/load-phase.ts';
import type { EmulatorImages } from './report/results.ts';

/** What one `pnpm bench` run measures and where it writes (main.ts builds it from the flags). */
export interface BenchOptions {
  quick: boolean;
  /** Where results.json, results.md and chart.png go. */
  outDir: string;
  /** In-flight levels for the 0 ms sweep (stops early once throughput stops growing). */
  levels: number[];
  /** In-flight levels at the realistic latency. */
  realisticLevels: number[];
  fanout: number[];
  fanoutEvents: number;
  settings: PhaseSettings;
  /** `node --cpu-prof` on worker and API; summaries land in the results. */
  profile: boolean;
  build: boolean;
  /** Date stamped on the results (the README quotes it). */
  date: string;
  log: (line: string) => void;
  onProcessLine?: (name: string, line: string) => void;
  /** Extra worker environment (e.g. tuning experiments). */
  workerEnv?: Record<string, string>;
  /**
   * `render` (sharp per image), `prerendered` (the emulator's `--images prerendered`), or `both`: the 0 ms
   * sweep on a render stack, then every phase on a prerendered stack, back to back in one run.
   */
  emulatorImages: EmulatorImages | 'both';
}

type Preset = Pick<
  BenchOptions,
  'levels' | 'realisticLevels' | 'fanout' | 'fanoutEvents' | 'settings' | 'emulatorImages'
>;

export const QUICK: Preset = {
  levels: [1, 4],
  realisticLevels: [2],
  fanout: [20],
  fanoutEvents: 3,
  settings: { warmupMs: 300, windowMs: 2_500, maxOps: 12 },
  emulatorImages: 'both',
};

export const FULL: Preset = {
  levels: [1, 2, 5, 10, 20, 50, 100, 200],
  realisticLevels: [1, 10, 50],
  fanout: [100, 1000, 2000, 10_000],
  fanoutEvents: 10,
  settings: { warmupMs: 2_000, windowMs: 10_000 },
  emulatorImages: 'both',
};

/**
 * The stacks a run starts, in order. With both, render goes first and prerendered last: the last stack also
 * runs the realistic sweep and the fan-out, and the targets' latency and CPU rows are judged on it.
 */
export const emulatorModes = (images: BenchOptions['emulatorImages']): EmulatorImages[] =>
  images === 'both' ? ['render', 'prerendered'] : [images];
