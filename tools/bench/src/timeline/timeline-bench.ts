import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildWorkerBundle,
  getFreePort,
  PIECE_NAMES,
  Platform,
  type PlatformOptions,
  repoRoot,
} from '@photomaker/harness';
import {
  GENERATE,
  GraphQLFailure,
  PlatformClient,
  pngDataUri,
  referencePng,
  smallTask,
} from '@photomaker/harness/client';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { workflowIdForJob } from '@photomaker/temporal';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import { UsageWindow } from '../harness/proc-stats.ts';
import { latencyDelta, scrapeLatencies } from './core-metrics.ts';
import {
  type JobHistoryCounts,
  type JobPoints,
  jobPoints,
  nowMs,
  type TimelineSources,
} from './job-timeline.ts';
import { type MeasuredStack, report } from './timeline-report.ts';

// Where one idle job's milliseconds go: N jobs one at a time through the whole platform (GraphQL ->
// Temporal -> worker -> Runware emulator -> blob store -> Redis -> API hub -> graphql-ws), each job's
// timeline from timestamps that exist anyway (job-timeline.ts), p50/p99 per stage. Several variants
// (a stack each, started side by side) take turns job by job: an A/B inside one run. Asserts nothing.

const TIMELINE_HELP = `pnpm bench --phase timeline [options]

  --jobs <n>          measured jobs per variant (default 100)
  --warmup <n>        warm-up jobs per variant first, not measured (default 10)
  --variants <a,b>    one stack per variant, jobs interleaved (default base); a variant joins parts with +:
                        base          production defaults (emulator renders every image with sharp)
                        prerendered   emulator serves pre-rendered images of the requested size
                        admission     API with PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT=1000 (jobs take a slot)
                        partitions1   dev server with one task-queue read/write partition
                        worker:K=V    extra worker environment (e.g. worker:WORKER_WORKFLOW_BUNDLE=/abs/a.js)
                        api:K=V       extra API environment
  --profile           the worker under node --cpu-prof (every thread); self time per package/function
  --gap <ms>          pause between jobs (default 50): every job runs on an idle platform
  --out <file>        JSON of every job's points (default tools/bench/results/timeline.json)
  --no-build          do not build the worker bundle first
`;

const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What each part of a variant changes in the stack. */
const PARTS: Record<string, (o: PlatformOptions) => PlatformOptions> = {
  base: (o) => o,
  prerendered: (o) => ({
    ...o,
    emulator: { ...o.emulator, args: [...(o.emulator?.args ?? []), '--images', 'prerendered'] },
  }),
  admission: (o) => ({
    ...o,
    env: { ...o.env, api: { ...o.env?.api, PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT: '1000' } },
  }),
  partitions1: (o) => ({
    ...o,
    temporalArgs: [
      ...(o.temporalArgs ?? []),
      ...['--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1'],
      ...['--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1'],
    ],
  }),
};

function stackOptions(variant: string, coreMetricsPort = 0, profileDir?: string): PlatformOptions {
  const base: PlatformOptions = {
    ...(profileDir
      ? { nodeArgs: { worker: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }, stopGraceMs: 20_000 }
      : {}),
    env: { worker: { WORKER_CORE_METRICS_PORT: String(coreMetricsPort) } },
    pieces: PIECE_NAMES,
    name: `timeline-${variant.replace(/[^\w-]/g, '-').slice(0, 40)}`,
    tenant: 'bench',
    emulator: { latency: 'none', args: ['--capacity', '100000'] },
    rateLimited: false,
  };
  let options = base;
  for (const part of variant.split('+')) {
    const app = part.startsWith('worker:') ? 'worker' : part.startsWith('api:') ? 'api' : undefined;
    if (app) {
      const [key = '', ...value] = part.slice(app.length + 1).split('=');
      options = {
        ...options,
        env: { ...options.env, [app]: { ...options.env?.[app], [key]: value.join('=') } },
      };
      continue;
    }
    const apply = PARTS[part];
    if (!apply)
      throw new Error(
        `unknown variant part ${part}; known: ${Object.keys(PARTS).join(', ')}, worker:K=V, api:K=V`,
      );
    options = apply(options);
  }
  return options;
}

interface Stack extends MeasuredStack {
  variant: string;
  platform: Platform;
  client: PlatformClient;
  sources: TimelineSources;
  referenceId: string;
  jobs: JobPoints[];
  counts: JobHistoryCounts[];
  coreMetricsUrl: string;
  profileDir: string | undefined;
  core?: ReturnType<typeof latencyDelta>;
  /** CPU ms per measured job, per process (idle stacks' pollers included). */
  cpuMsPerJob?: Record<string, number>;
  close(): Promise<void>;
}

async function openStack(variant: string, profile: boolean): Promise<Stack> {
  const coreMetricsPort = await getFreePort();
  const profileDir = profile ? mkdtempSync(join(tmpdir(), 'timeline-prof-')) : undefined;
  const platform = new Platform(stackOptions(variant, coreMetricsPort, profileDir));
  await platform.start();
  const client = new PlatformClient(platform.apiUrl, platform.apiKey);
  const connection = await Connection.connect({ address: platform.temporalAddress });
  const redis = new Redis(platform.redisUrl);
  const referenceId = await client.uploadReference(pngDataUri(await referencePng()));
  return {
    variant,
    platform,
    client,
    referenceId,
    jobs: [],
    counts: [],
    coreMetricsUrl: `http://127.0.0.1:${coreMetricsPort}/metrics`,
    profileDir,
    sources: {
      temporal: new Client({ connection }),
      redis,
      emulator: new EmulatorAdmin(platform.emulatorUrl),
      blobDir: platform.blobDir,
    },
    close: async () => {
      await client.close();
      redis.disconnect();
      await connection.close();
      await platform.stop();
    },
  };
}

/** One job, client side: send, answer, terminal item; then every point from the stores. */
async function runJob(stack: Stack): Promise<{ points: JobPoints; counts: JobHistoryCounts }> {
  const clientSent = nowMs();
  const result = await stack.client.http.post<{
    generatePhotoMaker: { id: string; runwareTaskUUID: string };
  }>(GENERATE, { input: smallTask(stack.referenceId) });
  const mutationAnswered = nowMs();
  const job = result.data?.generatePhotoMaker;
  if (!job) throw new GraphQLFailure(`generatePhotoMaker failed (${result.status})`, result.errors);
  const terminal = await stack.client.waitTerminal(job.id);
  const subscriberReceived = nowMs();
  if (terminal.status !== 'SUCCEEDED') throw new Error(`job ${job.id} ended ${terminal.status}`);
  // The workflow closes after the terminal event: its history's last event is needed.
  await stack.sources.temporal.workflow
    .getHandle(workflowIdForJob(job.id))
    .result()
    .catch(() => undefined);
  return jobPoints(stack.sources, {
    jobId: job.id,
    runwareTaskUUID: job.runwareTaskUUID,
    clientSent,
    mutationAnswered,
    subscriberReceived,
  });
}

function parse(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      jobs: { type: 'string', default: '100' },
      warmup: { type: 'string', default: '10' },
      variants: { type: 'string', default: 'base' },
      gap: { type: 'string', default: '50' },
      out: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return values;
}

/** Warm-up, then the measured jobs, one at a time, the stacks taking turns. */
async function measure(stacks: readonly Stack[], jobs: number, warmup: number, gapMs: number) {
  for (let i = 0; i < warmup; i++) for (const stack of stacks) await runJob(stack);
  const before = await Promise.all(stacks.map((s) => scrapeLatencies(s.coreMetricsUrl)));
  const usage = stacks.map((s) => new UsageWindow(() => s.platform.pids()));
  for (const window of usage) window.begin();
  for (let i = 0; i < jobs; i++) {
    for (const stack of stacks) {
      const { points, counts } = await runJob(stack);
      stack.jobs.push(points);
      stack.counts.push(counts);
      await sleep(gapMs);
    }
  }
  for (const [i, stack] of stacks.entries()) {
    stack.core = latencyDelta(before[i] ?? new Map(), await scrapeLatencies(stack.coreMetricsUrl));
    const cpu = Object.entries(usage[i]?.end() ?? {}).map(([name, u]) => [
      name,
      Math.round((u.cpuMs / jobs) * 10) / 10,
    ]);
    stack.cpuMsPerJob = Object.fromEntries(cpu);
  }
}

export async function runTimelineBench(args: string[]): Promise<number> {
  const values = parse(args);
  if (values.help) {
    process.stdout.write(TIMELINE_HELP);
    return 0;
  }
  const jobs = Number(values.jobs);
  const gapMs = Number(values.gap);
  const variants = (values.variants ?? 'base').split(',').map((v) => v.trim());
  for (const variant of variants) stackOptions(variant); // unknown parts fail before anything starts
  if (!values['no-build']) await buildWorkerBundle();
  const stacks: Stack[] = [];
  try {
    for (const variant of variants) stacks.push(await openStack(variant, values.profile ?? false));
    print(
      `timeline: ${variants.join(' vs ')}, ${values.warmup} warm-up + ${jobs} jobs each, interleaved, ${gapMs} ms apart`,
    );
    await measure(stacks, jobs, Number(values.warmup), gapMs);
  } finally {
    await Promise.allSettled(stacks.map((s) => s.close()));
  }
  report(stacks, gapMs, values.out ?? join(repoRoot, 'tools', 'bench', 'results', 'timeline.json'));
  return 0;
}
