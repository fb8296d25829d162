import { JobEventLog } from '@photomaker/events';
import { CANCEL, GENERATE, type PlatformClient, smallTask } from '@photomaker/harness/client';
import type { EmulatorAdmin, LatencyModel } from '@photomaker/runware-emulator/admin';
import type { JobEvent } from '@photomaker/schema';
import { Redis } from 'ioredis';
import { sampleProcess } from '../harness/proc-stats.ts';
import { type Distribution, distribution, rounded } from '../stats/percentiles.ts';
import { type Subscriber, subscribe } from './fanout-subscriber.ts';

export interface FanoutResult {
  subscribers: number;
  /** Subscribers that were connected (snapshot received) when the first event was appended. */
  connected: number;
  events: number;
  /** Receipts expected (subscribers x events) and received. */
  expected: number;
  received: number;
  /** ms from just before the XADD to each subscriber's receipt, over all (subscriber, event) pairs. */
  deliveryMs: Distribution;
  /** ms for all subscribers to connect and get their snapshot. */
  connectMs: number;
  /** API process RSS with everyone connected, and its peak, MiB. */
  apiRssMiB: number;
  apiPeakRssMiB: number;
  /** API CPU ms per delivered event copy. */
  apiCpuMsPerDelivery: number;
  /**
   * The bench driver's own CPU ms per received copy: the receiving side (parse, graphql-ws client) runs in
   * this one process on the same 2 cores, so a burst of N copies queues here too and adds to the p99.
   */
  driverCpuMsPerDelivery: number;
}

type FanoutOptions = {
  apiUrl: string;
  apiKey: string;
  redisUrl: string;
  client: PlatformClient;
  emulator: EmulatorAdmin;
  referenceId: string;
  subscribers: number;
  events: number;
  apiPid: () => number | undefined;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The job the phase appends to, and its last event (the appended seqs follow it). */
interface HeldJob {
  jobId: string;
  runwareTaskUUID: string;
  last: JobEvent;
}

/** Starts a job while the emulator is slow, so the worker holds it in Runware and the bench owns its stream. */
async function startHeldJob(options: FanoutOptions, log: JobEventLog, onStarted: (jobId: string) => void) {
  await options.emulator.setLatency({ requestMs: 0, imageMs: 15 * 60_000 });
  const started = await options.client.http.post<{
    generatePhotoMaker: { id: string; runwareTaskUUID: string };
  }>(GENERATE, { input: smallTask(options.referenceId) });
  const job = started.data?.generatePhotoMaker;
  if (!job) throw new Error(`fan-out job did not start: ${started.errors?.[0]?.message}`);
  onStarted(job.id);
  let last: JobEvent | undefined;
  for (let i = 0; i < 300 && last?.stage !== 'submitted'; i++) {
    await sleep(50);
    last = await log.last(job.id);
  }
  if (last?.stage !== 'submitted')
    throw new Error(`fan-out job never reached submitted (last: ${last?.stage})`);
  return { jobId: job.id, runwareTaskUUID: job.runwareTaskUUID, last } satisfies HeldJob;
}

/** Connects the subscribers 100 at a time (each batch waits for its snapshots, at most a minute). */
async function connectAll(options: FanoutOptions, jobId: string, subscribers: Subscriber[]): Promise<number> {
  const connectStart = performance.now();
  for (let i = 0; i < options.subscribers; i += 100) {
    const batch: Subscriber[] = [];
    for (let j = i; j < Math.min(options.subscribers, i + 100); j++)
      batch.push(subscribe(options.apiUrl, options.apiKey, jobId));
    subscribers.push(...batch);
    await Promise.allSettled(batch.map((s) => Promise.race([s.snapshot, sleep(60_000)])));
  }
  return performance.now() - connectStart;
}

/** The event appended at `seq`: a submitted event, or the cancelled one that ends the job. */
export function fanoutEvent(job: HeldJob, seq: number, terminal: boolean): JobEvent {
  const at = new Date().toISOString();
  if (terminal)
    return {
      jobId: job.jobId,
      seq,
      at,
      stage: 'cancelled',
      data: { reason: 'bench fan-out finished' },
    } as JobEvent;
  return {
    jobId: job.jobId,
    seq,
    at,
    stage: 'submitted',
    data: { runwareTaskUUID: job.runwareTaskUUID, numberResults: 1 },
  } as JobEvent;
}

/** Appends the events one at a time; returns when each was appended (performance.now(), by seq). */
async function appendEvents(
  log: JobEventLog,
  job: HeldJob,
  events: number,
  subscribers: Subscriber[],
  expectedMissing: number,
): Promise<Map<number, number>> {
  const appendedAt = new Map<number, number>();
  const lastSeq = job.last.seq + events;
  for (let seq = job.last.seq + 1; seq <= lastSeq; seq++) {
    appendedAt.set(seq, performance.now());
    await log.append(fanoutEvent(job, seq, seq === lastSeq));
    // Next event once (nearly) everyone has this one, so fan-outs do not overlap.
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline) {
      const missing = subscribers.filter((s) => !s.receipts.has(seq)).length;
      if (missing <= expectedMissing) break;
      await sleep(5);
    }
    await sleep(50);
  }
  return appendedAt;
}

/** Append-to-receipt times of every receipt of an appended seq. */
export function deliveryTimes(
  receipts: readonly ReadonlyMap<number, number>[],
  appendedAt: ReadonlyMap<number, number>,
): number[] {
  const samples: number[] = [];
  for (const r of receipts) {
    for (const [seq, at] of r) {
      const appended = appendedAt.get(seq);
      if (appended !== undefined) samples.push(at - appended);
    }
  }
  return samples;
}

const mib = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;
/** ms per delivery to three decimals; NaN when nothing was delivered. */
export const perDelivery = (ms: number, received: number) =>
  received > 0 ? Math.round((ms / received) * 1000) / 1000 : Number.NaN;

/**
 * N graphql-ws subscribers (one WebSocket each) on one job of one API process; the bench appends events
 * straight to the job's Redis stream (the worker's path) and times each subscriber's receipt against the
 * append. The job is real (the API checks it exists and belongs to the tenant): the emulator is made slow
 * while it is submitted, so the worker holds it in Runware while the bench owns its stream.
 */
export async function fanoutPhase(options: FanoutOptions): Promise<FanoutResult> {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const log = new JobEventLog(redis);
  const before: LatencyModel = await options.emulator.latency();
  let jobId: string | undefined;
  const subscribers: Subscriber[] = [];
  try {
    // A job that stays in Runware for the whole phase.
    const job = await startHeldJob(options, log, (id) => {
      jobId = id;
    });
    await options.emulator.setLatency(before);
    const connectMs = await connectAll(options, job.jobId, subscribers);
    const connected = subscribers.filter((s) => s.connected()).length;

    const apiPid = options.apiPid();
    const apiBefore = apiPid ? sampleProcess(apiPid) : undefined;
    const driverBefore = process.cpuUsage();
    const missing = options.subscribers - connected;
    const appendedAt = await appendEvents(log, job, options.events, subscribers, missing);
    const apiAfter = apiPid ? sampleProcess(apiPid) : undefined;
    const driverCpu = process.cpuUsage(driverBefore);
    const samples = deliveryTimes(
      subscribers.map((s) => s.receipts),
      appendedAt,
    );
    const received = samples.length;
    await Promise.race([Promise.allSettled(subscribers.map((s) => s.done)), sleep(10_000)]);
    return {
      subscribers: options.subscribers,
      connected,
      events: options.events,
      expected: options.subscribers * options.events,
      received,
      deliveryMs: rounded(distribution(samples)),
      connectMs: Math.round(connectMs),
      apiRssMiB: mib(apiAfter?.rssBytes),
      apiPeakRssMiB: mib(apiAfter?.peakRssBytes),
      apiCpuMsPerDelivery:
        apiBefore && apiAfter ? perDelivery(apiAfter.cpuMs - apiBefore.cpuMs, received) : Number.NaN,
      driverCpuMsPerDelivery: perDelivery((driverCpu.user + driverCpu.system) / 1000, received),
    };
  } finally {
    await options.emulator.setLatency(before).catch(() => undefined);
    for (const s of subscribers) s.dispose();
    await Promise.allSettled(subscribers.map((s) => s.client.dispose()));
    if (jobId) await options.client.http.post(CANCEL, { id: jobId }).catch(() => undefined);
    redis.disconnect();
  }
}
