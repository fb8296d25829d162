import { parseArgs } from 'node:util';
import { LocalBlobStore } from '@photomaker/blobstore';
import { buildWorkerBundle, Platform } from '@photomaker/harness';
import { referencePng, smallTask } from '@photomaker/harness/client';
import { type JobState, jobTaskSchema } from '@photomaker/schema';
import {
  jobTaskPriority,
  type PhotoMakerJobInput,
  SEARCH_ATTRIBUTES,
  TASK_QUEUE,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { createDataConverter, parsePayloadKeys } from '@photomaker/temporal/codec';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { distribution, rounded } from '../stats/percentiles.ts';

// Fairness of the admission queue: a flooding tenant queues 1,000 jobs at once under the global in-flight
// budget; a lone tenant submits one job at a time at intervals. Prints the lone jobs' wait for a slot
// (p50/p99: submission -> slot granted, from each job's history) and the flooder's throughput. Jobs start
// straight in Temporal with their admission request and task priority (the tenant as fairness key), as
// the API starts a job a limit applies to (the API's own per-request costs are not what this measures).
// `--fairness both` runs it twice, back to back on fresh stacks: Temporal's task-queue fairness on, then
// off (the server's dynamic config is fixed at its start). Asserts nothing.

export const QUEUE_HELP = `pnpm bench --phase queue [options]

  --flood <n>        the flooder's jobs, queued at once (default 1000)
  --in-flight <n>    the global budget PHOTOMAKER_RUNWARE_MAX_IN_FLIGHT (default 4)
  --lone-every <ms>  the lone tenant submits its next job this long after the previous one ended (default 2000)
  --image-ms <ms>    the emulator's time per image (default 200)
  --fairness <mode>  Temporal task-queue fairness: on, off, or both (two runs back to back; default both)
  --no-build         do not build the worker bundle first
`;

const print = (line: string) => process.stdout.write(`queue: ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function options(args: string[]) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      flood: { type: 'string', default: '1000' },
      'in-flight': { type: 'string', default: '4' },
      'lone-every': { type: 'string', default: '2000' },
      'image-ms': { type: 'string', default: '200' },
      fairness: { type: 'string', default: 'both' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    help: values.help,
    flood: Number(values.flood),
    inFlight: Number(values['in-flight']),
    loneEveryMs: Number(values['lone-every']),
    imageMs: Number(values['image-ms']),
    build: !values['no-build'],
    fairness: fairnessModes(values.fairness),
  };
}

function fairnessModes(mode: string): boolean[] {
  if (mode === 'both') return [true, false];
  if (mode === 'on' || mode === 'off') return [mode === 'on'];
  throw new Error(`--fairness must be on, off or both, not ${mode}`);
}

type Options = ReturnType<typeof options>;

/** Starts jobs of one tenant straight in Temporal, each asking the admission queue for a slot. */
function starter(temporal: Client, task: PhotoMakerJobInput['task'], maxInFlight: number) {
  return async (tenant: string): Promise<WorkflowHandle> => {
    const jobId = crypto.randomUUID();
    const input: PhotoMakerJobInput = {
      jobId,
      tenant,
      task,
      runwareTaskUUID: crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      admission: { priority: 'NORMAL', weight: 1, maxInFlight },
    };
    return temporal.workflow.start(WORKFLOW_TYPE, {
      taskQueue: TASK_QUEUE,
      workflowId: workflowIdForJob(jobId),
      args: [input],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.tenant, value: tenant }],
      priority: jobTaskPriority(tenant),
    });
  };
}

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
const timeOf = (event: HistoryEvent | undefined) =>
  Number(event?.eventTime?.seconds ?? 0) * 1000 + Math.floor((event?.eventTime?.nanos ?? 0) / 1e6);

/**
 * A lone job's waits, ms: submission (workflow start) -> slot granted, and its request reaching the queue
 * (the first workflow task, with its request activity, recorded) -> slot granted: the queue's own share.
 */
async function waitOf(handle: WorkflowHandle): Promise<{ total: number; queued: number }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const grantedAt = events.findIndex(
    (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'slotGranted',
  );
  if (grantedAt < 0) throw new Error(`job ${handle.workflowId} was never granted a slot`);
  const granted = timeOf(events[grantedAt]);
  const requested = events.slice(0, grantedAt).findLast((event) => event.markerRecordedEventAttributes);
  return { total: granted - timeOf(events[0]), queued: granted - timeOf(requested ?? events[0]) };
}

async function flood(start: (tenant: string) => Promise<WorkflowHandle>, count: number) {
  const handles: WorkflowHandle[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, () => start('flooder'));
    handles.push(...(await Promise.all(batch)));
  }
  return handles;
}

async function run(o: Options, fairness: boolean): Promise<void> {
  const say = (line: string) => print(`[fairness ${fairness ? 'on' : 'off'}] ${line}`);
  const latency = JSON.stringify({ requestMs: 0, imageMs: o.imageMs, stepMs: 0, parallelism: 1 });
  const stack = new Platform({
    pieces: ['temporal', 'redis', 'emulator', 'worker'],
    name: 'queue',
    emulator: { latency, args: ['--capacity', '100000'] },
    temporalFairness: fairness,
  });
  say(
    `starting the stack (Temporal fairness ${fairness ? 'on' : 'off'}, emulator ${o.imageMs} ms per image, global budget ${o.inFlight})`,
  );
  await stack.start();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const temporal = new Client({
      connection,
      dataConverter: createDataConverter(parsePayloadKeys(stack.secrets.payloadKeys)),
    });
    const blob = await new LocalBlobStore(stack.blobDir).put(
      new Uint8Array(await referencePng()),
      'image/png',
    );
    const task = jobTaskSchema.parse({ ...smallTask(''), inputImages: [{ kind: 'blob', blob }] });
    const start = starter(temporal, task, o.inFlight);
    // Warm-up: the worker's workflow cache, the admission workflow, measured service times.
    for (let i = 0; i < 4; i++) await (await start('warmup')).result();

    const began = Date.now();
    const flooded = await flood(start, o.flood);
    say(`${o.flood} flooder jobs started in ${Date.now() - began} ms`);
    let flooding = true;
    const floodDone = Promise.all(flooded.map((handle) => handle.result() as Promise<JobState>)).then(
      (states) => {
        flooding = false;
        return { states, endedAt: Date.now() };
      },
    );
    const waits: { total: number; queued: number }[] = [];
    while (flooding) {
      const lone = await start('lone');
      await lone.result();
      waits.push(await waitOf(lone));
      await sleep(o.loneEveryMs);
    }
    const { states, endedAt } = await floodDone;
    const ok = states.filter((state) => state.status === 'SUCCEEDED').length;
    const seconds = (endedAt - began) / 1000;
    const service = distribution((await Promise.all(flooded.slice(-50).map(runMsOf))).filter((v) => v > 0));
    const wait = rounded(distribution(waits.map((w) => w.total)), 0);
    const queued = rounded(distribution(waits.map((w) => w.queued)), 0);
    say(
      `flooder: ${ok}/${o.flood} succeeded in ${seconds.toFixed(1)} s: ${(ok / seconds).toFixed(1)} jobs/s`,
    );
    say(`one job's service time (slot held, last 50 flooder jobs): p50 ${Math.round(service.p50)} ms`);
    say(
      `lone tenant: ${wait.count} jobs during the flood; submission -> slot p50 ${wait.p50} ms, p99 ${wait.p99} ms, max ${wait.max} ms`,
    );
    say(
      `lone tenant: request in the queue -> slot p50 ${queued.p50} ms, p99 ${queued.p99} ms, max ${queued.max} ms`,
    );
  } finally {
    await connection.close();
    await stack.stop();
  }
}

/** How long a job held its slot: slotGranted -> its last event, ms. */
async function runMsOf(handle: WorkflowHandle): Promise<number> {
  const events = (await handle.fetchHistory()).events ?? [];
  const granted = events.find(
    (event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'slotGranted',
  );
  return granted ? timeOf(events.at(-1)) - timeOf(granted) : 0;
}

export async function runQueueBench(args: string[]): Promise<number> {
  const o = options(args);
  if (o.help) {
    process.stdout.write(QUEUE_HELP);
    return 0;
  }
  if (o.build) await buildWorkerBundle();
  for (const fairness of o.fairness) await run(o, fairness);
  return 0;
}
