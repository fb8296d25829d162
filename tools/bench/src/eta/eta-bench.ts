import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalBlobStore } from '@photomaker/blobstore';
import { buildWorkerBundle, PIECE_NAMES, Platform, repoRoot } from '@photomaker/harness';
import {
  graphqlWs,
  JOB_EVENTS_MINIMAL,
  type JobEventItem,
  PlatformClient,
  pngDataUri,
  referencePng,
  smallTask,
  TERMINAL_STATUSES,
} from '@photomaker/harness/client';
import { jobTaskSchema } from '@photomaker/schema';
import {
  admissionWeight,
  type PhotoMakerJobInput,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { createDataConverter, parsePayloadKeys } from '@photomaker/temporal/codec';
import { Client, Connection } from '@temporalio/client';
import type { Client as WsClient } from 'graphql-ws';
import { type EtaReport, type EtaSample, etaReport } from './eta-error.ts';

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
  --via <temporal|api>  how jobs start: temporal (default) starts each job's workflow with its admission
                    request, as the API starts a job that a limit applies to; api sends generatePhotoMaker
                    (the API's tenant limit then decides)
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
      via: { type: 'string', default: 'temporal' },
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
    via: values.via === 'api' ? ('api' as const) : ('temporal' as const),
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
  let failures = 0;
  while (!stop()) {
    const waiting = jobs.filter((job) => !job.estimate && !job.ranAtOnce);
    await Promise.all(
      waiting.map(async (job) => {
        let seen: JobView;
        try {
          seen = await view(client, job.jobId);
        } catch (error) {
          // A read that failed under load: the next round asks again.
          if (failures++ < 5) print(`read failed: ${(error as Error).message}`);
          return;
        }
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

type Submit = (images: number) => Promise<string>;

/**
 * Resolves with the job's final status. On one eager socket for the whole run: a lazy client closes its
 * socket whenever its subscriptions drop to none (between warm-up jobs) and completes whatever subscribed
 * while it was closing.
 */
function ended(ws: WsClient, jobId: string): Promise<string> {
  return new Promise((resolve) => {
    let status = 'none';
    ws.subscribe<{ jobEvents: JobEventItem }>(
      { query: JOB_EVENTS_MINIMAL, variables: { jobId, afterSeq: 0 } },
      {
        next: (result) => {
          status = result.data?.jobEvents.status ?? status;
        },
        error: (error) => resolve(`error ${JSON.stringify(error).slice(0, 200)}`),
        complete: () => resolve(TERMINAL_STATUSES.has(status) ? status : `ended ${status}`),
      },
    );
  });
}

/** Through the API: generatePhotoMaker (the API's limits decide whether the job waits). */
const viaApi =
  (client: PlatformClient, reference: string): Submit =>
  async (images) =>
    submit(client, reference, images);

/** Straight to Temporal: the job's workflow with its admission request, as the API starts a limited job. */
async function viaTemporal(
  stack: Platform,
  limit: number,
): Promise<{ submit: Submit; close(): Promise<void> }> {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new Client({
    connection,
    dataConverter: createDataConverter(parsePayloadKeys(stack.secrets.payloadKeys)),
  });
  const blob = await new LocalBlobStore(stack.blobDir).put(new Uint8Array(await referencePng()), 'image/png');
  const submit: Submit = async (images) => {
    const jobId = crypto.randomUUID();
    const input: PhotoMakerJobInput = {
      jobId,
      tenant: stack.tenant,
      task: jobTaskSchema.parse({
        ...smallTask(''),
        inputImages: [{ kind: 'blob', blob }],
        numberResults: images,
      }),
      runwareTaskUUID: crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      // The API's weight: a multi-image job holds up to four image tasks at once (weight 1 made its images
      // run one after another, four times as long as through the API).
      admission: { priority: 'NORMAL', weight: admissionWeight(images), maxRunningJobs: limit },
    };
    await temporal.workflow.start(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIdForJob(jobId),
      args: [input],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.tenant, value: stack.tenant }],
    });
    return jobId;
  };
  return { submit, close: () => connection.close() };
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

type Options = ReturnType<typeof options>;

/** The burst: every job submitted, estimates read while they wait, each followed to its end. */
async function burst(o: Options, client: PlatformClient, sockets: WsClient[], start: Submit) {
  const ws = sockets[0] as WsClient;
  const imagesOf = (i: number) => o.images[i % o.images.length] ?? 1;
  // Warm-up: every image count gets measured service times before the burst.
  for (let i = 0; i < o.warmup; i++) {
    const status = await ended(ws, await start(imagesOf(i)));
    if (status !== 'SUCCEEDED') throw new Error(`a warm-up job ended ${status}`);
  }
  print(`warm-up done (${o.warmup} jobs); submitting ${o.jobs}`);
  const jobs: Submitted[] = [];
  let submitting = true;
  let aborted = false;
  const recording = recordEstimates(
    client,
    jobs,
    () => aborted || (!submitting && jobs.every((j) => j.estimate || j.ranAtOnce)),
  );
  try {
    for (let i = 0; i < o.jobs; i++) {
      const images = imagesOf(i);
      jobs.push({ jobId: await start(images), images });
    }
    submitting = false;
    const ends = await Promise.all(jobs.map((job, i) => ended(sockets[Math.floor(i / 50)] ?? ws, job.jobId)));
    return { jobs, failed: ends.filter((status) => status !== 'SUCCEEDED') };
  } finally {
    aborted = true;
    await recording;
  }
}

/** Each estimated job's estimate next to when it really started and finished. */
async function samplesOf(client: PlatformClient, jobs: Submitted[]): Promise<EtaSample[]> {
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
  return samples;
}

function printReport(report: EtaReport): void {
  const line = (name: string, e: EtaReport['start']) =>
    `${name} |estimate - actual|: p50 ${e.p50} s, p90 ${e.p90} s, max ${e.max} s, bias ${e.bias} s`;
  print(line('start ', report.start));
  print(line('finish', report.finish));
  print(
    `finish error / wait predicted: p50 ${report.finishRelative.p50} %, p90 ${report.finishRelative.p90} %`,
  );
}

async function run(o: Options): Promise<void> {
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
  const client = new PlatformClient(stack.apiUrl, stack.apiKey);
  // The API allows 100 subscriptions per socket: 50 jobs per socket.
  const sockets = Array.from({ length: Math.ceil((o.jobs + 1) / 50) }, () =>
    graphqlWs(stack.apiUrl, stack.apiKey, { lazy: false }),
  );
  const direct = o.via === 'temporal' ? await viaTemporal(stack, o.limit) : undefined;
  try {
    const reference = await client.uploadReference(pngDataUri(await referencePng()));
    const { jobs, failed } = await burst(o, client, sockets, direct?.submit ?? viaApi(client, reference));
    if (failed.length > 0) print(`not succeeded: ${[...new Set(failed)].join('; ')}`);
    const samples = await samplesOf(client, jobs);
    const estimatedAt = new Map(jobs.map((job) => [job.jobId, job.estimate?.at ?? 0]));
    const report = etaReport(samples, (id) => estimatedAt.get(id) ?? 0);
    const atOnce = jobs.filter((job) => job.ranAtOnce).length;
    print(
      `${o.jobs} jobs (${failed.length} not succeeded), ${samples.length} with an estimate, ${atOnce} ran at once`,
    );
    printReport(report);
    if (o.out) {
      writeFileSync(o.out, `${JSON.stringify({ options: o, report, samples }, null, 2)}\n`);
      print(`wrote ${o.out}`);
    }
  } finally {
    await direct?.close();
    await Promise.all(sockets.map((socket) => socket.dispose()));
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
