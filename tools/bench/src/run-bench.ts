import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkerBundle, PIECE_NAMES, Platform, redisServer } from '@photomaker/harness';
import { PlatformClient, pngDataUri, referencePng, smallTask } from '@photomaker/harness/client';
import { RunwareClient } from '@photomaker/runware';
import { EmulatorAdmin, LATENCY_PRESETS } from '@photomaker/runware-emulator/admin';
import { type FanoutResult, fanoutPhase } from './phases/fanout-phase.ts';
import { directPhase, type PhaseResult, type PhaseSettings, platformPhase } from './phases/load-phase.ts';
import { cpuProfilesIn, summarizeCpuProfile } from './profile/cpu-profile.ts';
import { summarizeHistories } from './profile/temporal-history.ts';
import { renderChart } from './report/chart.ts';
import { machineInfo } from './report/machine.ts';
import { renderMarkdown } from './report/markdown.ts';
import { type BenchResults, overheads, saturation, targets } from './report/results.ts';

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
  /** `prerendered`: the emulator's `--images prerendered` (no sharp render per image). */
  emulatorImages?: 'render' | 'prerendered';
}

export const QUICK: Pick<
  BenchOptions,
  'levels' | 'realisticLevels' | 'fanout' | 'fanoutEvents' | 'settings'
> = {
  levels: [1, 4],
  realisticLevels: [2],
  fanout: [20],
  fanoutEvents: 3,
  settings: { warmupMs: 300, windowMs: 2_500, maxOps: 12 },
};

export const FULL: Pick<BenchOptions, 'levels' | 'realisticLevels' | 'fanout' | 'fanoutEvents' | 'settings'> =
  {
    levels: [1, 2, 5, 10, 20, 50, 100, 200],
    realisticLevels: [1, 10, 50],
    fanout: [100, 500, 1000, 2000],
    fanoutEvents: 10,
    settings: { warmupMs: 2_000, windowMs: 10_000 },
  };

/** What every phase of one run shares: the running stack's addresses, the clients, the reference images. */
interface RunContext {
  options: BenchOptions;
  stack: Platform;
  client: PlatformClient;
  emulator: EmulatorAdmin;
  referenceId: string;
  /** The same reference uploaded straight to Runware, for the direct path. */
  imageUUID: string;
  pids: () => Record<string, number | undefined>;
}

/** What the phases measured, in the order they ran. */
interface Measured {
  phases: PhaseResult[];
  fanout: FanoutResult[];
  temporalHistory: BenchResults['temporalHistory'];
}

/** Uploads the reference to the platform and straight to Runware (the direct path's input). */
async function uploadReferences(stack: Platform, client: PlatformClient) {
  const png = await referencePng();
  const referenceId = await client.uploadReference(pngDataUri(png));
  const runware = new RunwareClient({ baseUrl: stack.runwareBaseUrl, apiKey: stack.secrets.runwareKey });
  const { imageUUID } = await runware.imageUpload({ image: pngDataUri(png) });
  await runware.close();
  return { referenceId, imageUUID };
}

/**
 * Saturated: two levels in a row without 10 % more throughput (from 20 in flight on: the curve is noisy on
 * a shared machine), or latency past 20 s. Only the 0 ms sweep stops early.
 */
export function saturationWatch() {
  let best = 0;
  let flat = 0;
  return (platform: PhaseResult): boolean => {
    if (platform.throughput > best * 1.1) {
      best = platform.throughput;
      flat = 0;
    } else flat += 1;
    if (platform.latency !== 'none') return false;
    return (flat >= 2 && platform.concurrency >= 20) || platform.latencyMs.p50 > 20_000;
  };
}

/** One level of a sweep: the direct then the platform path at the same emulator latency and concurrency. */
async function measureLevel(
  ctx: RunContext,
  m: Measured,
  latency: 'none' | 'realistic',
  concurrency: number,
) {
  const { options, stack } = ctx;
  const common = { latency, concurrency, settings: options.settings, pids: ctx.pids };
  const a = await directPhase({
    ...common,
    runwareBaseUrl: stack.runwareBaseUrl,
    runwareKey: stack.secrets.runwareKey,
    imageUUID: ctx.imageUUID,
  });
  m.phases.push(a);
  const b = await platformPhase({ ...common, client: ctx.client, referenceId: ctx.referenceId });
  m.phases.push(b);
  options.log(
    `${latency.padEnd(9)} ×${String(concurrency).padEnd(4)} direct p50 ${a.latencyMs.p50} ms ${a.throughput}/s | platform p50 ${b.latencyMs.p50} p99 ${b.latencyMs.p99} ms ${b.throughput}/s (${b.jobs} jobs, ${b.errors} errors)`,
  );
  if (latency === 'none' && (concurrency === 1 || concurrency === 10)) {
    const summary = await summarizeHistories(stack.temporalAddress, b.sampleJobIds ?? []);
    if (summary) m.temporalHistory.push({ latency, concurrency, summary });
  }
  return b;
}

/** Raises the concurrency at one emulator latency until the platform path saturates. */
async function sweep(ctx: RunContext, m: Measured, latency: 'none' | 'realistic') {
  await ctx.emulator.setLatency(LATENCY_PRESETS[latency]);
  const levels = latency === 'none' ? ctx.options.levels : ctx.options.realisticLevels;
  const saturated = saturationWatch();
  for (const concurrency of levels) {
    const platform = await measureLevel(ctx, m, latency, concurrency);
    if (saturated(platform)) {
      const top = Math.max(
        ...m.phases.filter((p) => p.path === 'platform' && p.latency === latency).map((p) => p.throughput),
      );
      ctx.options.log(`platform throughput saturated (highest ${top} jobs/s)`);
      break;
    }
  }
}

async function fanoutPhases(ctx: RunContext, m: Measured) {
  const { stack, options } = ctx;
  for (const subscribers of options.fanout) {
    const result = await fanoutPhase({
      apiUrl: stack.apiUrl,
      apiKey: stack.apiKey,
      redisUrl: stack.redisUrl,
      client: ctx.client,
      emulator: ctx.emulator,
      referenceId: ctx.referenceId,
      subscribers,
      events: options.fanoutEvents,
      apiPid: () => stack.pid('api'),
    });
    m.fanout.push(result);
    options.log(
      `fan-out ${subscribers} subscribers: p50 ${result.deliveryMs.p50} ms p99 ${result.deliveryMs.p99} ms, ${result.received}/${result.expected} received, API RSS ${result.apiRssMiB} MiB`,
    );
  }
}

/** Every phase in order: warm-up, the 0 ms and realistic sweeps, then the fan-out. */
async function measure(ctx: RunContext, m: Measured) {
  // Warm-up outside any window: JIT, pools, the worker's reference-upload cache.
  for (let i = 0; i < (ctx.options.quick ? 3 : 20); i++) await ctx.client.runJob(smallTask(ctx.referenceId));
  for (const latency of ['none', 'realistic'] as const) await sweep(ctx, m, latency);
  await ctx.emulator.setLatency(LATENCY_PRESETS.none);
  await fanoutPhases(ctx, m);
}

function assembleResults(
  options: BenchOptions,
  m: Measured,
  cpuProfiles: BenchResults['cpuProfiles'],
  began: number,
): BenchResults {
  const partial = { overhead: overheads(m.phases), saturation: saturation(m.phases), fanout: m.fanout };
  return {
    date: options.date,
    machine: machineInfo(redisServer()),
    mode: options.quick ? 'quick' : 'full',
    settings: {
      levels: options.levels,
      realisticLevels: options.realisticLevels,
      fanout: options.fanout,
      fanoutEvents: options.fanoutEvents,
      ...options.settings,
      task: '128x128, 1 result, 20 steps, URL output, one 64x64 PNG reference',
      workerEnv: options.workerEnv ?? {},
      emulatorImages: options.emulatorImages ?? 'render',
      realisticLatency: LATENCY_PRESETS.realistic,
    },
    phases: m.phases,
    ...partial,
    temporalHistory: m.temporalHistory,
    cpuProfiles,
    targets: targets(partial),
    durationSeconds: Math.round((performance.now() - began) / 1000),
  };
}

/** Runs the whole benchmark on one fresh stack and writes JSON, markdown and a chart. */
export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const began = performance.now();
  const { log } = options;
  if (options.build) {
    log('building the worker workflow bundle (turbo, cached)');
    await buildWorkerBundle();
  }
  mkdirSync(options.outDir, { recursive: true });
  const profileDir = join(options.outDir, 'profiles');
  // Profiles of an earlier run in the same directory would be summarized as this run's.
  if (options.profile) rmSync(profileDir, { recursive: true, force: true });
  const cpuProf = options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const stack = new Platform({
    pieces: PIECE_NAMES,
    name: 'bench',
    tenant: 'bench',
    // Runware's per-key concurrency is not what we measure here.
    emulator: {
      latency: 'none',
      args: ['--capacity', '100000', '--images', options.emulatorImages ?? 'render'],
    },
    nodeArgs: { worker: cpuProf, api: cpuProf },
    ...(options.profile ? { stopGraceMs: 20_000 } : {}),
    rateLimited: false,
    ...(options.workerEnv ? { env: { worker: options.workerEnv } } : {}),
    ...(options.onProcessLine ? { onLine: options.onProcessLine } : {}),
  });
  log(`starting Temporal, Redis, emulator, worker, API (data in ${stack.dataDir})`);
  await stack.start();
  const pids = () => ({ ...stack.pids(), driver: process.pid });
  const emulator = new EmulatorAdmin(stack.emulatorUrl);
  const client = new PlatformClient(stack.apiUrl, stack.apiKey);
  const measured: Measured = { phases: [], fanout: [], temporalHistory: [] };
  try {
    const references = await uploadReferences(stack, client);
    await measure({ options, stack, client, emulator, pids, ...references }, measured);
  } finally {
    await client.close();
    // SIGTERM: the profiled processes write their .cpuprofile on the way out.
    await stack.stop();
  }

  const cpuProfiles = options.profile
    ? cpuProfilesIn(profileDir).map((file) => ({ ...summarizeCpuProfile(file), jobs: client.jobsStarted }))
    : [];
  const results = assembleResults(options, measured, cpuProfiles, began);
  writeFileSync(join(options.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'results.md'), renderMarkdown(results));
  await renderChart(results, join(options.outDir, 'chart.png'));
  return results;
}
