import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWorkerBundle, type Platform, redisServer } from '@photomaker/harness';
import { PlatformClient, pngDataUri, referencePng, smallTask } from '@photomaker/harness/client';
import { RunwareClient } from '@photomaker/runware';
import { EmulatorAdmin, LATENCY_PRESETS } from '@photomaker/runware-emulator/admin';
import { type BenchOptions, emulatorModes } from './bench-options.ts';
import { benchStack } from './harness/bench-stack.ts';
import { type FanoutResult, fanoutPhase } from './phases/fanout-phase.ts';
import { directPhase, type PhaseResult, platformPhase } from './phases/load-phase.ts';
import { cpuProfilesIn, summarizeCpuProfile } from './profile/cpu-profile.ts';
import { summarizeHistories } from './profile/temporal-history.ts';
import { renderChart } from './report/chart.ts';
import { gitCommit } from './report/commit.ts';
import { machineInfo } from './report/machine.ts';
import { renderMarkdown } from './report/markdown.ts';
import {
  type BenchPhase,
  type BenchResults,
  type EmulatorImages,
  overheads,
  saturation,
} from './report/results.ts';
import { evaluateTargets } from './report/targets.ts';

/** What every phase of one run shares: the running stack's addresses, the clients, the reference images. */
interface RunContext {
  options: BenchOptions;
  images: EmulatorImages;
  /** The last stack of the run: also the realistic sweep and the fan-out. */
  last: boolean;
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
  phases: BenchPhase[];
  fanout: FanoutResult[];
  fanoutFailures: BenchResults['fanoutFailures'];
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
  const { options, stack, images } = ctx;
  const common = { latency, concurrency, settings: options.settings, pids: ctx.pids };
  const a = await directPhase({
    ...common,
    runwareBaseUrl: stack.runwareBaseUrl,
    runwareKey: stack.secrets.runwareKey,
    imageUUID: ctx.imageUUID,
  });
  m.phases.push({ ...a, images });
  const b = await platformPhase({ ...common, client: ctx.client, referenceId: ctx.referenceId });
  m.phases.push({ ...b, images });
  options.log(
    `${images} ${latency.padEnd(9)} ×${String(concurrency).padEnd(4)} direct p50 ${a.latencyMs.p50} ms ${a.throughput}/s | platform p50 ${b.latencyMs.p50} p99 ${b.latencyMs.p99} ms ${b.throughput}/s (${b.jobs} jobs, ${b.errors} errors)`,
  );
  if (latency === 'none' && (concurrency === 1 || concurrency === 10)) {
    const summary = await summarizeHistories(stack.temporalAddress, b.sampleJobIds ?? []);
    if (summary) m.temporalHistory.push({ images, latency, concurrency, summary });
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
        ...m.phases
          .filter((p) => p.path === 'platform' && p.images === ctx.images && p.latency === latency)
          .map((p) => p.throughput),
      );
      ctx.options.log(`platform throughput saturated (highest ${top} jobs/s)`);
      break;
    }
  }
}

async function fanoutPhases(ctx: RunContext, m: Measured) {
  const { stack, options } = ctx;
  for (const subscribers of options.fanout) {
    // A count the stack cannot take (e.g. 10,000 on a small box) is recorded as failed, not the run's end.
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
    }).catch((error: unknown) => {
      const message = (error as Error).message ?? String(error);
      m.fanoutFailures.push({ subscribers, error: message });
      options.log(`fan-out ${subscribers} subscribers failed: ${message}`);
    });
    if (!result) continue;
    m.fanout.push(result);
    options.log(
      `fan-out ${subscribers} subscribers: p50 ${result.deliveryMs.p50} ms p99 ${result.deliveryMs.p99} ms, ${result.received}/${result.expected} received, API RSS ${result.apiRssMiB} MiB`,
    );
  }
}

/** One stack's phases in order: warm-up, the 0 ms sweep, and on the last stack the realistic sweep and the fan-out. */
async function measure(ctx: RunContext, m: Measured) {
  // Warm-up outside any window: JIT, pools, the worker's reference-upload cache.
  for (let i = 0; i < (ctx.options.quick ? 3 : 20); i++) await ctx.client.runJob(smallTask(ctx.referenceId));
  await sweep(ctx, m, 'none');
  if (!ctx.last) return;
  await sweep(ctx, m, 'realistic');
  await ctx.emulator.setLatency(LATENCY_PRESETS.none);
  await fanoutPhases(ctx, m);
}

function assembleResults(
  options: BenchOptions,
  run: { commit: string; measured: Measured; cpuProfiles: BenchResults['cpuProfiles']; began: number },
): BenchResults {
  const m = run.measured;
  const emulatorImages = emulatorModes(options.emulatorImages);
  const partial = {
    phases: m.phases,
    overhead: overheads(m.phases),
    saturation: saturation(m.phases),
    fanout: m.fanout,
    fanoutFailures: m.fanoutFailures,
    emulatorImages,
  };
  return {
    date: options.date,
    commit: run.commit,
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
      realisticLatency: LATENCY_PRESETS.realistic,
    },
    ...partial,
    temporalHistory: m.temporalHistory,
    cpuProfiles: run.cpuProfiles,
    targets: evaluateTargets(partial),
    durationSeconds: Math.round((performance.now() - run.began) / 1000),
  };
}

/** One fresh stack in one emulator mode: start, measure, stop. Returns the jobs the platform client started. */
async function runStack(
  options: BenchOptions,
  images: EmulatorImages,
  last: boolean,
  measured: Measured,
  profileDir: string | undefined,
): Promise<number> {
  const stack = benchStack({
    images,
    profileDir,
    workerEnv: options.workerEnv,
    onProcessLine: options.onProcessLine,
  });
  options.log(
    `starting Temporal, Redis, emulator (images ${images}), worker, API (data in ${stack.dataDir})`,
  );
  await stack.start();
  const pids = () => ({ ...stack.pids(), driver: process.pid });
  const emulator = new EmulatorAdmin(stack.emulatorUrl);
  const client = new PlatformClient(stack.apiUrl, stack.apiKey);
  try {
    const references = await uploadReferences(stack, client);
    await measure({ options, images, last, stack, client, emulator, pids, ...references }, measured);
  } finally {
    await client.close();
    // SIGTERM: the profiled processes write their .cpuprofile on the way out.
    await stack.stop();
  }
  return client.jobsStarted;
}

/**
 * Runs the whole benchmark, one fresh stack per emulator mode, back to back, and writes JSON, markdown and a
 * chart. Only the last stack is profiled (`--profile`): its processes ran every phase.
 */
export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const began = performance.now();
  // Before anything writes under the tree: the numbers belong to this commit (and its local changes).
  const commit = gitCommit();
  const { log } = options;
  if (options.build) {
    log('building the worker workflow bundle (turbo, cached)');
    await buildWorkerBundle();
  }
  mkdirSync(options.outDir, { recursive: true });
  const profileDir = join(options.outDir, 'profiles');
  // Profiles of an earlier run in the same directory would be summarized as this run's.
  if (options.profile) rmSync(profileDir, { recursive: true, force: true });
  const measured: Measured = { phases: [], fanout: [], fanoutFailures: [], temporalHistory: [] };
  const modes = emulatorModes(options.emulatorImages);
  let profiledJobs = 0;
  for (const [i, images] of modes.entries()) {
    const last = i === modes.length - 1;
    const profiled = options.profile && last ? profileDir : undefined;
    const jobs = await runStack(options, images, last, measured, profiled);
    if (last) profiledJobs = jobs;
  }
  const cpuProfiles = options.profile
    ? cpuProfilesIn(profileDir).map((file) => ({ ...summarizeCpuProfile(file), jobs: profiledJobs }))
    : [];
  const results = assembleResults(options, { commit, measured, cpuProfiles, began });
  writeFileSync(join(options.outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'results.md'), renderMarkdown(results));
  await renderChart(results, join(options.outDir, 'chart.png'));
  return results;
}
