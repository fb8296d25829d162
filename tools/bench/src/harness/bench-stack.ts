import { PIECE_NAMES, Platform } from '@photomaker/harness';
import type { EmulatorImages } from '../report/results.ts';

export interface BenchStackOptions {
  images: EmulatorImages;
  /** Where worker and API write `--cpu-prof` profiles; no profiling when absent. */
  profileDir?: string | undefined;
  workerEnv?: Record<string, string> | undefined;
  onProcessLine?: ((name: string, line: string) => void) | undefined;
}

/**
 * The bench's stack: every piece as a real process at its production defaults, the way the launcher starts
 * them; only the emulator's per-key capacity (Runware's per-key limit is not what is measured) and the API's
 * total connection cap are lifted.
 */
export function benchStack(options: BenchStackOptions): Platform {
  const cpuProf = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  return new Platform({
    pieces: PIECE_NAMES,
    name: `bench-${options.images}`,
    tenant: 'bench',
    emulator: { latency: 'none', args: ['--capacity', '100000', '--images', options.images] },
    nodeArgs: { worker: cpuProf, api: cpuProf },
    // Profiled processes write their .cpuprofile on the way out: give them time.
    ...(options.profileDir ? { stopGraceMs: 20_000 } : {}),
    rateLimited: false,
    // The fan-out holds up to 10,000 sockets at once; the API's default cap of 4,096 open connections
    // (a guard against floods, not a capacity) would refuse the rest.
    env: {
      api: { PHOTOMAKER_MAX_CONNECTIONS: '0' },
      ...(options.workerEnv ? { worker: options.workerEnv } : {}),
    },
    ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
  });
}
