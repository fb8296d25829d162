import { randomUUID } from 'node:crypto';
import type { PlatformClient } from '@photomaker/harness/client';
import { smallTask } from '@photomaker/harness/client';
import { RunwareClient } from '@photomaker/runware';
import { type ProcessUsage, UsageWindow } from '../harness/proc-stats.ts';
import { closedLoop } from '../stats/closed-loop.ts';
import { type Distribution, distribution, rounded } from '../stats/percentiles.ts';

type BenchPath = 'direct' | 'platform';

export interface PhaseResult {
  path: BenchPath;
  latency: string;
  concurrency: number;
  jobs: number;
  errors: number;
  firstError?: string;
  throughput: number;
  /** Client-observed ms per job: (a) one photoMaker call; (b) mutation -> terminal event. */
  latencyMs: Distribution;
  /** (b) only: the mutation's own round trip. */
  mutationMs?: Distribution;
  /** CPU ms per completed job, per process (the window's CPU / its jobs). */
  cpuMsPerJob: Record<string, number>;
  /** Peak RSS in the window, MiB, per process. */
  peakRssMiB: Record<string, number>;
  /** Some job ids (b) for the Temporal history profile. */
  sampleJobIds?: string[];
}

export interface PhaseSettings {
  warmupMs: number;
  windowMs: number;
  maxOps?: number;
}

function usageReport(usage: Record<string, ProcessUsage>, jobs: number) {
  const cpuMsPerJob: Record<string, number> = {};
  const peakRssMiB: Record<string, number> = {};
  for (const [name, u] of Object.entries(usage)) {
    cpuMsPerJob[name] = jobs > 0 ? Math.round((u.cpuMs / jobs) * 100) / 100 : Number.NaN;
    peakRssMiB[name] = Math.round((u.peakRssBytes / 1024 / 1024) * 10) / 10;
  }
  return { cpuMsPerJob, peakRssMiB };
}

/** (a) the same small task straight to the emulator with packages/runware (sync delivery, URL output). */
export async function directPhase(options: {
  runwareBaseUrl: string;
  /** The key the platform's emulator accepts. */
  runwareKey: string;
  imageUUID: string;
  latency: string;
  concurrency: number;
  settings: PhaseSettings;
  pids: () => Record<string, number | undefined>;
}): Promise<PhaseResult> {
  const client = new RunwareClient({
    baseUrl: options.runwareBaseUrl,
    apiKey: options.runwareKey,
    connections: Math.max(16, options.concurrency),
    retry: false,
  });
  const usage = new UsageWindow(options.pids);
  try {
    // Warm the pool's sockets outside the measurement.
    await client.ping();
    usage.begin();
    const loop = await closedLoop({
      concurrency: options.concurrency,
      ...options.settings,
      op: () =>
        client.photoMaker({
          taskUUID: randomUUID(),
          ...smallTask(options.imageUUID),
          outputType: 'URL',
        } as Parameters<RunwareClient['photoMaker']>[0]),
    });
    const report = usageReport(usage.end(), loop.results.length);
    return {
      path: 'direct',
      latency: options.latency,
      concurrency: options.concurrency,
      jobs: loop.results.length,
      errors: loop.errors.length,
      ...(loop.errors[0] ? { firstError: loop.errors[0] } : {}),
      throughput: Math.round(loop.throughput * 10) / 10,
      latencyMs: rounded(distribution(loop.latencies)),
      ...report,
    };
  } finally {
    await client.close();
  }
}

/** (b) the same task through GraphQL mutation -> Temporal -> worker -> Redis -> graphql-ws terminal event. */
export async function platformPhase(options: {
  client: PlatformClient;
  referenceId: string;
  latency: string;
  concurrency: number;
  settings: PhaseSettings;
  pids: () => Record<string, number | undefined>;
}): Promise<PhaseResult> {
  const usage = new UsageWindow(options.pids);
  usage.begin();
  const loop = await closedLoop({
    concurrency: options.concurrency,
    ...options.settings,
    op: async () => {
      const timing = await options.client.runJob(smallTask(options.referenceId));
      if (timing.status !== 'SUCCEEDED') throw new Error(`job ${timing.jobId} ended ${timing.status}`);
      return timing;
    },
  });
  const report = usageReport(usage.end(), loop.results.length);
  const step = Math.max(1, Math.floor(loop.results.length / 20));
  return {
    path: 'platform',
    latency: options.latency,
    concurrency: options.concurrency,
    jobs: loop.results.length,
    errors: loop.errors.length,
    ...(loop.errors[0] ? { firstError: loop.errors[0] } : {}),
    throughput: Math.round(loop.throughput * 10) / 10,
    latencyMs: rounded(distribution(loop.latencies)),
    mutationMs: rounded(distribution(loop.results.map((r) => r.mutationMs))),
    ...report,
    sampleJobIds: loop.results.filter((_, i) => i % step === 0).map((r) => r.jobId),
  };
}
