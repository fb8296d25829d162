import { randomUUID } from 'node:crypto';
import { LocalBlobStore } from '@photomaker/blobstore';
import { JobEventLog } from '@photomaker/events';
import { buildWorkerBundle, type PieceName, startPlatform } from '@photomaker/harness';
import { RunwareClient } from '@photomaker/runware';
import { applyTriggerWord, jobTaskSchema } from '@photomaker/schema';
import { TASK_QUEUE, WORKFLOW_TYPE, workflowIdForJob } from '@photomaker/temporal';
import { createDataConverter, parsePayloadKeys } from '@photomaker/temporal/codec';
import { Client, Connection } from '@temporalio/client';
import { Redis } from 'ioredis';
import sharp from 'sharp';

// What one job costs on top of Runware: the same 1-image task direct through the client vs through
// Temporal -> worker -> Redis, against the emulator with zero latency. Prints numbers; asserts nothing.
// The worker runs as its own process with its default tuning (poll 100 ms x1.5 up to 1 s, sync for 1 result).
// Usage: node tools/bench/src/measure-job-latency.ts [jobs=100] [concurrency=1]  (or `pnpm measure` here)

const print = (line: string) => process.stdout.write(`${line}\n`);
const jobs = Number(process.argv[2] ?? 100);
const concurrency = Number(process.argv[3] ?? 1);
// MEASURE_TEMPORAL_ADDRESS: a dev server of your own (e.g. started with other dynamic config).
const externalTemporal = process.env.MEASURE_TEMPORAL_ADDRESS;
const pieces: PieceName[] = [
  ...(externalTemporal ? [] : ['temporal' as const]),
  'redis',
  'emulator',
  'worker',
];

// The prebuilt workflow bundle: the worker starts in a second instead of a webpack run.
await buildWorkerBundle();
const platform = await startPlatform({
  pieces,
  name: 'measure',
  ...(externalTemporal ? { temporalAddress: externalTemporal } : {}),
});
const blobs = new LocalBlobStore(platform.blobDir);
const client = new Client({
  connection: await Connection.connect({ address: platform.temporalAddress }),
  dataConverter: createDataConverter(parsePayloadKeys(platform.secrets.payloadKeys)),
});

const png = await sharp({ create: { width: 96, height: 96, channels: 3, background: '#88aacc' } })
  .png()
  .toBuffer();
const reference = await blobs.put(new Uint8Array(png), 'image/png');
const task = jobTaskSchema.parse({
  inputImages: [{ kind: 'blob', blob: reference }],
  positivePrompt: applyTriggerWord('a portrait'),
  model: 'civitai:139562@344487',
  width: 128,
  height: 128,
  steps: 4,
  outputFormat: 'JPG',
});
const direct = new RunwareClient({
  baseUrl: platform.runwareBaseUrl,
  apiKey: platform.secrets.runwareKey,
  retry: false,
});
const uploaded = await direct.imageUpload({ image: `data:image/png;base64,${png.toString('base64')}` });

const recent: string[] = [];
const untilEvent: number[] = [];
async function viaTemporal(): Promise<number> {
  const jobId = randomUUID();
  recent.push(workflowIdForJob(jobId));
  const connection = readers.pop() ?? new Redis(platform.redisUrl);
  const reader = new JobEventLog(connection);
  const started = performance.now();
  const handle = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: TASK_QUEUE,
    workflowId: workflowIdForJob(jobId),
    args: [{ jobId, tenant: 'm', task, runwareTaskUUID: randomUUID(), createdAt: new Date().toISOString() }],
  });
  // What a subscriber waits for: the terminal event in the job's stream.
  let after = 0;
  for (let done = false; !done; ) {
    for (const event of await reader.read(jobId, after, { blockMs: 5_000 })) {
      after = event.seq;
      if (event.stage === 'succeeded') done = true;
    }
  }
  untilEvent.push(performance.now() - started);
  readers.push(connection);
  await handle.result();
  return performance.now() - started;
}
const readers: Redis[] = [];

async function directCall(): Promise<number> {
  const started = performance.now();
  await direct.photoMaker({
    inputImages: [uploaded.imageUUID],
    positivePrompt: task.positivePrompt,
    model: task.model,
    width: 128,
    height: 128,
    steps: 4,
    outputFormat: 'JPG',
  });
  return performance.now() - started;
}

async function measure(name: string, run: () => Promise<number>): Promise<number[]> {
  for (let i = 0; i < 10; i++) await run(); // warm-up (bundle load, JIT, pools, reference cache)
  const samples: number[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs) {
        next += 1;
        samples.push(await run());
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]?.toFixed(1);
  print(
    `${name.padEnd(10)} n=${jobs} c=${concurrency}  p50 ${q(0.5)} ms  p95 ${q(0.95)} ms  p99 ${q(0.99)} ms  ${(jobs / seconds).toFixed(1)} jobs/s`,
  );
  return samples;
}

await measure('direct', directCall);
await measure('temporal', viaTemporal);
untilEvent.splice(0, 10);
untilEvent.sort((a, b) => a - b);
const at = (p: number) =>
  untilEvent[Math.min(untilEvent.length - 1, Math.floor(p * untilEvent.length))]?.toFixed(1);
print(
  `  (terminal event in Redis: p50 ${at(0.5)} ms  p95 ${at(0.95)} ms  p99 ${at(0.99)} ms; the rest is the workflow's completion)`,
);

// Where the time of one job goes, from the event times of the last jobs' histories (medians).
const ms = (e: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) =>
  Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
const phases = new Map<string, number[]>();
for (const workflowId of recent.slice(-20)) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  let previous = events[0];
  for (const event of events.slice(1)) {
    const name = `${String(previous?.eventType)}->${String(event.eventType)}`;
    phases.set(name, [...(phases.get(name) ?? []), ms(event) - ms(previous ?? event)]);
    previous = event;
  }
}
const last = await client.workflow.getHandle(recent.at(-1) ?? '').fetchHistory();
const types = (last.events ?? []).map((event) => Number(event.eventType));
const count = (type: number) => types.filter((t) => t === type).length;
// EventType numbers: 6 workflow task started, 10 activity scheduled, 25 marker (local activity), 40 upsert.
print(
  `history of one job: ${types.length} events, ${count(6)} workflow tasks, ${count(10)} activities, ${count(25)} local-activity markers, ${count(40)} search-attribute upserts`,
);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
print('median gaps between history events (event type numbers, see temporal.api.enums.v1.EventType):');
for (const [name, values] of phases)
  if (median(values) >= 0.5) print(`  ${name.padEnd(8)} ${median(values).toFixed(1)} ms`);

for (const r of readers) r.disconnect();
await direct.close();
await client.connection.close();
await platform.stop();
process.exit(0);
