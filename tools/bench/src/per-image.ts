import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { LocalBlobStore } from '@photomaker/blobstore';
import { CancelRequests, JobEventLog } from '@photomaker/events';
import { buildWorkerBundle, startPlatform } from '@photomaker/harness';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { applyTriggerWord, type JobEvent, jobTaskSchema } from '@photomaker/schema';
import { TASK_QUEUE, WORKFLOW_TYPE, workflowIdForJob } from '@photomaker/temporal';
import { createDataConverter, parsePayloadKeys } from '@photomaker/temporal/codec';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { Redis } from 'ioredis';
import sharp from 'sharp';

// What a cancel saves and what a multi-image job takes, on the real stack (Temporal, Redis, the worker
// process, the emulator at its realistic latency). Only the emulator's ledger and the job's event stream
// are read, so the same file runs against an older worker (one Runware task per job) for "before".
const HELP = `pnpm --filter @photomaker/bench per-image [--phase cancel|latency|all] [--runs 3]
  [--latency realistic|<json>] [--worker-env K=V ...]

cancel:  a 10-image job cancelled (a) as soon as it is submitted, (b) after its first image: images
         Runware generated and charged (emulator ledger), images the job kept.
latency: 4- and 20-image jobs: start to the last image and to the terminal event in the job's stream.`;

const { values } = parseArgs({
  options: {
    phase: { type: 'string', default: 'all' },
    runs: { type: 'string', default: '3' },
    latency: { type: 'string', default: 'realistic' },
    'worker-env': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const print = (line: string) => process.stdout.write(`${line}\n`);
const runs = Number(values.runs);
const workerEnv = Object.fromEntries(
  (values['worker-env'] ?? []).map((pair) => [
    pair.slice(0, pair.indexOf('=')),
    pair.slice(pair.indexOf('=') + 1),
  ]),
);

await buildWorkerBundle();
const platform = await startPlatform({
  pieces: ['temporal', 'redis', 'emulator', 'worker'],
  name: 'per-image',
  emulator: { latency: values.latency, args: ['--capacity', '100000'] },
  env: { worker: workerEnv },
});
const admin = new EmulatorAdmin(platform.emulatorUrl);
const blobs = new LocalBlobStore(platform.blobDir);
const client = new Client({
  connection: await Connection.connect({ address: platform.temporalAddress }),
  dataConverter: createDataConverter(parsePayloadKeys(platform.secrets.payloadKeys)),
});
const redis = new Redis(platform.redisUrl);
const events = new JobEventLog(redis);
const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#88aacc' } })
  .png()
  .toBuffer();
const reference = await blobs.put(new Uint8Array(png), 'image/png');

async function start(numberResults: number): Promise<{ jobId: string; handle: WorkflowHandle; at: number }> {
  const task = jobTaskSchema.parse({
    inputImages: [{ kind: 'blob', blob: reference }],
    positivePrompt: applyTriggerWord('a portrait'),
    model: 'civitai:139562@344487',
    width: 1024,
    height: 1024,
    numberResults,
    seed: '1000',
  });
  const jobId = randomUUID();
  const at = performance.now();
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdForJob(jobId),
    args: [
      { jobId, tenant: 'bench', task, runwareTaskUUID: randomUUID(), createdAt: new Date().toISOString() },
    ],
  });
  return { jobId, handle, at };
}

/** Reads the job's stream until `stop` says so; calls `onEvent` with each event and its arrival time. */
async function follow(
  jobId: string,
  stop: (event: JobEvent) => boolean,
  onEvent: (event: JobEvent, at: number) => void,
) {
  const connection = redis.duplicate();
  const reader = new JobEventLog(connection);
  let after = 0;
  try {
    for (;;) {
      for (const event of await reader.read(jobId, after, { blockMs: 5_000 })) {
        after = event.seq;
        onEvent(event, performance.now());
        if (stop(event)) return;
      }
    }
  } finally {
    connection.disconnect();
  }
}

const terminal = (event: JobEvent) => ['succeeded', 'failed', 'cancelled'].includes(event.stage);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function settled(): Promise<void> {
  while ((await admin.inspect()).activeGenerations > 0) await new Promise((r) => setTimeout(r, 100));
}

async function cancelRun(when: 'submitted' | 'image_ready') {
  await admin.reset();
  const job = await start(10);
  await follow(
    job.jobId,
    (event) => event.stage === when,
    () => undefined,
  );
  // As the API's cancelJob does: the Redis cancel request first (the worker stops sending at once), then
  // Temporal's cancel (which reaches the activity with its next heartbeat).
  await new CancelRequests(redis).request(job.jobId);
  await job.handle.cancel();
  await job.handle.result().catch(() => undefined);
  await settled();
  const inspection = await admin.inspect();
  const generated = Object.values(inspection.tasks)
    .filter((task) => task.taskType !== 'imageUpload')
    .reduce((sum, task) => sum + task.generations, 0);
  const kept = (await events.range(job.jobId, 0)).filter((event) => event.stage === 'image_ready').length;
  return { generated, charged: inspection.ledger.charges, kept };
}

if (values.phase === 'cancel' || values.phase === 'all') {
  for (const [label, when] of [
    ['at submission', 'submitted'],
    ['after the first image', 'image_ready'],
  ] as const) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await cancelRun(when));
    const show = results.map((r) => `${r.generated}/${r.charged}/${r.kept}`).join('  ');
    print(
      `cancel ${label.padEnd(22)} 10 images: generated/charged/kept per run ${show}  (median charged ${median(results.map((r) => r.charged))} of 10)`,
    );
  }
}

if (values.phase === 'latency' || values.phase === 'all') {
  for (const n of [4, 20]) {
    const lastImage: number[] = [];
    const end: number[] = [];
    for (let i = 0; i < runs; i++) {
      await admin.reset();
      const job = await start(n);
      await follow(job.jobId, terminal, (event, at) => {
        if (event.stage === 'image_ready') lastImage[i] = at - job.at;
        if (terminal(event)) end[i] = at - job.at;
      });
    }
    const ms = (xs: number[]) => xs.map((x) => `${(x / 1000).toFixed(2)}s`).join(' ');
    print(
      `${String(n).padStart(2)} images: last image ${ms(lastImage)} (median ${(median(lastImage) / 1000).toFixed(2)} s), terminal event median ${(median(end) / 1000).toFixed(2)} s`,
    );
  }
}

redis.disconnect();
await client.connection.close();
await platform.stop();
process.exit(0);
