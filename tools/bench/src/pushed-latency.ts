import { parseArgs } from 'node:util';
import { JobEventLog } from '@photomaker/events';
import { buildWorkerBundle, startPlatform } from '@photomaker/harness';
import {
  GENERATE,
  graphqlWs,
  JOB_EVENTS_MINIMAL,
  type JobEventItem,
  PlatformClient,
  pngDataUri,
  referencePng,
  smallTask,
  TERMINAL_STATUSES,
} from '@photomaker/harness/client';
import { imageTaskUUID } from '@photomaker/runware';
import { EmulatorAdmin } from '@photomaker/runware-emulator/admin';
import { Redis } from 'ioredis';
import { distribution, rounded } from './stats/percentiles.ts';

// How long an image waits between Runware finishing it and the client hearing of it: from the emulator
// finishing each image task (its finishedAt) to the GraphQL subscriber receiving that image's event, for
// the worker's two Runware transports (RUNWARE_TRANSPORT=rest: getResponse polling; websocket: pushed).
// One platform (Temporal, Redis, emulator, API); the worker process is restarted per transport.
const HELP = `pnpm --filter @photomaker/bench pushed [--runs 5] [--latency realistic|<json>] [--sizes 4,20]

Per transport (rest, websocket) and job size: p50/p99 of "emulator finished image -> subscriber got
its image_ready event" over every image of --runs jobs (1024x1024, 20 steps), after one warm-up job.`;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    latency: { type: 'string', default: 'realistic' },
    sizes: { type: 'string', default: '4,20' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const print = (line: string) => process.stdout.write(`${line}\n`);
const runs = Number(values.runs);
const sizes = values.sizes.split(',').map(Number);
const SEED = 1000;

await buildWorkerBundle();
const workerEnv: Record<string, string> = { RUNWARE_TRANSPORT: 'rest' };
const platform = await startPlatform({
  pieces: ['temporal', 'redis', 'emulator', 'worker', 'api'],
  name: 'pushed',
  tenant: 'bench',
  rateLimited: false,
  emulator: { latency: values.latency, args: ['--capacity', '100000'] },
  env: { worker: workerEnv },
});
const admin = new EmulatorAdmin(platform.emulatorUrl);
const client = new PlatformClient(platform.apiUrl, platform.apiKey);
const subscriptions = graphqlWs(platform.apiUrl, platform.apiKey);
const redis = new Redis(platform.redisUrl);
const events = new JobEventLog(redis);
const referenceId = await client.uploadReference(pngDataUri(await referencePng()));

/** Wall-clock ms at which the subscriber received each seq of the job, until its terminal item. */
function receive(jobId: string): Promise<Map<number, number>> {
  const receipts = new Map<number, number>();
  return new Promise((resolve, reject) => {
    const stop = subscriptions.subscribe<{ jobEvents: JobEventItem }>(
      { query: JOB_EVENTS_MINIMAL, variables: { jobId, afterSeq: 0 } },
      {
        next: (result) => {
          const item = result.data?.jobEvents;
          if (!item || item.__typename === 'JobSnapshot') return;
          receipts.set(item.seq, Date.now());
          if (TERMINAL_STATUSES.has(item.status)) {
            stop();
            resolve(receipts);
          }
        },
        error: (error) => reject(error instanceof Error ? error : new Error(String(error))),
        complete: () => resolve(receipts),
      },
    );
  });
}

/** One job: per image, ms from the emulator finishing its task to the subscriber receiving its event. */
async function job(numberResults: number): Promise<number[]> {
  const input = { ...smallTask(referenceId, 1024), numberResults, seed: String(SEED) };
  const started = await client.http.post<{
    generatePhotoMaker: { id: string; runwareTaskUUID: string | null };
  }>(GENERATE, { input });
  const created = started.data?.generatePhotoMaker;
  if (!created?.runwareTaskUUID) throw new Error(`generatePhotoMaker: ${JSON.stringify(started.errors)}`);
  const receipts = await receive(created.id);
  const delays: number[] = [];
  for (const event of await events.range(created.id, 0)) {
    if (event.stage !== 'image_ready') continue;
    const index = Number(event.data.image.seed) - SEED;
    const task = await admin.task(imageTaskUUID(created.runwareTaskUUID, index, 0));
    const received = receipts.get(event.seq);
    if (!task?.finishedAt || received === undefined) throw new Error(`image ${index}: no timing`);
    delays.push(received - Date.parse(task.finishedAt));
  }
  if (delays.length !== numberResults) throw new Error(`${delays.length} of ${numberResults} images`);
  return delays;
}

const results: Record<string, Record<number, ReturnType<typeof distribution>>> = {};
for (const transport of ['rest', 'websocket']) {
  workerEnv.RUNWARE_TRANSPORT = transport;
  await platform.down('worker');
  await platform.startPiece('worker');
  await job(4); // warm-up: connections, the websocket session, JIT
  results[transport] = {};
  for (const n of sizes) {
    const delays: number[] = [];
    for (let i = 0; i < runs; i++) {
      await admin.reset();
      delays.push(...(await job(n)));
    }
    const d = rounded(distribution(delays), 0);
    (results[transport] as Record<number, typeof d>)[n] = d;
    print(
      `${transport.padEnd(9)} ${String(n).padStart(2)} images x ${runs} jobs: finished -> subscriber p50 ${d.p50} ms, p99 ${d.p99} ms (mean ${d.mean}, max ${d.max}, n=${d.count})`,
    );
  }
}
print(JSON.stringify({ latency: values.latency, runs, results }));

await subscriptions.dispose();
await client.close();
redis.disconnect();
await platform.stop();
process.exit(0);
