import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWorkerBundle, PIECE_NAMES, Platform, repoRoot } from '@photomaker/harness';
import { PlatformClient, pngDataUri, referencePng, smallTask } from '@photomaker/harness/client';
import { type EtaSample, etaReport } from './eta-error.ts';

// ETA error: a burst of queued jobs (mixed image counts) behind a tenant's running-jobs limit. For each
// job, the estimate the API gave while it waited (Job.estimatedStartAt / estimatedFinishAt, the first one
// seen after its submission) against when it really started and finished. Prints p50/p90 of
// |estimate - actual|; asserts nothing.
// Usage: pnpm --filter @photomaker/bench eta [--jobs 150] [--limit 2] [--warmup 8] [--latency realistic]

const HELP = `pnpm --filter @photomaker/bench eta [options]   (node tools/bench/src/eta/eta-bench.ts)

  --jobs <n>        jobs in the burst (default 150)
  --limit <n>       the tenant's maxRunningJobs (default 2): everything past it queues
  --warmup <n>      jobs run first so the service-time averages have samples (default 8)
  --latency <name>  the emulator's latency preset (default realistic)
  --images <1,2,4>  image counts the burst cycles through (default 1,1,2,3,4)
  --out <file>      also write the samples and the report as JSON
  --no-build        do not build the worker bundle first
`;

const JOB_QUEUE = `query($id: ID!) { job(id: $id) {
  status queuePosition estimatedStartAt estimatedFinishAt startedAt finishedAt } }`;

interface JobView {
  status: string;
  queuePosition: number | null;
  estimatedStartAt: string | null;
  estimatedFinishAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

interface Submitted {
  jobId: string;
  images: number;
  estimate?: { position: number | null; start: string; finish: string; at: number };
  /** Started before any estimate was seen (a free slot at once). */
  ranAtOnce?: boolean;
}

const print = (line: string) => process.stdout.write(`eta: ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function options() {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '150' },
      limit: { type: 'string', default: '2' },
      warmup: { type: 'string', default: '8' },
      latency: { type: 'string', default: 'realistic' },
      images: { type: 'string', default: '1,1,2,3,4' },
      out: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    help: values.help,
    jobs: Number(values.jobs),
    limit: Number(values.limit),
    warmup: Number(values.warmup),
    latency: values.latency,
    images: values.images.split(',').map(Number),
    out: values.out,
    build: !values['no-build'],
  };
}

async function view(client: PlatformClient, jobId: string): Promise<JobView> {
  const result = await client.http.post<{ job: JobView | null }>(JOB_QUEUE, { id: jobId });
  if (!result.data?.job) throw new Error(`job ${jobId}: ${JSON.stringify(result.errors ?? result.status)}`);
  return result.data.job;
}

/** Reads every waiting job's estimate until each has one (the first seen after its submission) or runs. */
async function recordEstimates(client: PlatformClient, jobs: Submitted[], stop: () => boolean) {
  while (!stop()) {
    const waiting = jobs.filter((job) => !job.estimate && !job.ranAtOnce);
    if (waiting.length === 0) return;
    await Promise.all(
      waiting.map(async (job) => {
        const seen = await view(client, job.jobId);
        if (seen.status !== 'QUEUED') job.ranAtOnce = true;
        else if (seen.estimatedStartAt && seen.estimatedFinishAt)
          job.estimate = {
            position: seen.queuePosition,
            start: seen.estimatedStartAt,
            finish: seen.estimatedFinishAt,
            at: Date.now(),
          };
      }),
    );
    await sleep(200);
  }
}

async function submit(client: PlatformClient, reference: string, images: number): Promise<string> {
  const result = await client.http.post<{ generatePhotoMaker: { id: string } }>(
    'mutation($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { id } }',
    { input: { ...smallTask(reference), numberResults: images } },
  );
  const id = result.data?.generatePhotoMaker?.id;
  if (!id) throw new Error(`generatePhotoMaker: ${JSON.stringify(result.errors ?? result.status)}`);
  return id;
}

async function run(o: ReturnType<typeof options>): Promise<void> {
  if (o.build) await buildWorkerBundle();
  const stack = new Platform({
    pieces: PIECE_NAMES,
    name: 'eta',
    tenant: 'eta',
    emulator: { latency: o.latency, args: ['--capacity', '100000'] },
    rateLimited: false,
    env: { api: { PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: String(o.limit) } },
  });
  print(`starting the stack (emulator latency ${o.latency}, maxRunningJobs ${o.limit})`);
  await stack.start();
  const client = new PlatformClient(stack.apiUrl, stack.apiKey, { perSocket: 100 });
  try {
    const reference = await client.uploadReference(pngDataUri(await referencePng()));
    const imagesOf = (i: number) => o.images[i % o.images.length] ?? 1;
    // Warm-up: every image count gets measured service times before the burst.
    for (let i = 0; i < o.warmup; i++)
      await client.waitTerminal(await submit(client, reference, imagesOf(i)), 300_000);
    print(`warm-up done (${o.warmup} jobs); submitting ${o.jobs}`);
    const jobs: Submitted[] = [];
    let submitting = true;
    const recording = recordEstimates(
      client,
      jobs,
      () => !submitting && jobs.every((j) => j.estimate || j.ranAtOnce),
    );
    for (let i = 0; i < o.jobs; i++) {
      const images = imagesOf(i);
      jobs.push({ jobId: await submit(client, reference, images), images });
    }
    submitting = false;
    const ends = await Promise.all(jobs.map((job) => client.waitTerminal(job.jobId, 1_800_000)));
    await recording;
    const failed = ends.filter((end) => end.status !== 'SUCCEEDED').length;
    const samples: EtaSample[] = [];
    for (const job of jobs) {
      if (!job.estimate) continue;
      const done = await view(client, job.jobId);
      if (!done.startedAt || !done.finishedAt) continue;
      samples.push({
        jobId: job.jobId,
        images: job.images,
        position: job.estimate.position,
        estimatedStartAt: job.estimate.start,
        estimatedFinishAt: job.estimate.finish,
        startedAt: done.startedAt,
        finishedAt: done.finishedAt,
      });
    }
    const estimatedAt = new Map(jobs.map((job) => [job.jobId, job.estimate?.at ?? 0]));
    const report = etaReport(samples, (id) => estimatedAt.get(id) ?? 0);
    const atOnce = jobs.filter((job) => job.ranAtOnce).length;
    print(
      `${o.jobs} jobs (${failed} not succeeded), ${samples.length} with an estimate, ${atOnce} ran at once`,
    );
    print(
      `start  |estimate - actual|: p50 ${report.start.p50} s, p90 ${report.start.p90} s, max ${report.start.max} s, bias ${report.start.bias} s`,
    );
    print(
      `finish |estimate - actual|: p50 ${report.finish.p50} s, p90 ${report.finish.p90} s, max ${report.finish.max} s, bias ${report.finish.bias} s`,
    );
    print(
      `finish error / wait predicted: p50 ${report.finishRelative.p50} %, p90 ${report.finishRelative.p90} %`,
    );
    if (o.out) {
      writeFileSync(o.out, `${JSON.stringify({ options: o, report, samples }, null, 2)}\n`);
      print(`wrote ${o.out}`);
    }
  } finally {
    await client.close();
    await stack.stop();
  }
}

const o = options();
if (o.help) process.stdout.write(HELP);
else {
  if (o.out && !o.out.startsWith('/')) o.out = join(repoRoot, o.out);
  await run(o);
}
process.exit(0);
