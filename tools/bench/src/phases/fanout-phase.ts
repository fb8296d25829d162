import { JobEventLog } from '@photomaker/events';
import {
  CANCEL,
  GENERATE,
  graphqlWs,
  JOB_EVENTS_MINIMAL,
  type JobEventItem,
  type PlatformClient,
  smallTask,
} from '@photomaker/harness/client';
import type { EmulatorAdmin, LatencyModel } from '@photomaker/runware-emulator/admin';
import type { JobEvent } from '@photomaker/schema';
import type { Client as WsClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { sampleProcess } from '../harness/proc-stats.ts';
import { type Distribution, distribution, rounded } from '../stats/percentiles.ts';

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

interface Subscriber {
  client: WsClient;
  dispose: () => void;
  snapshot: Promise<void>;
  receipts: Map<number, number>;
  done: Promise<void>;
  connected: () => boolean;
}

function subscribe(apiUrl: string, key: string, jobId: string): Subscriber {
  const client = graphqlWs(apiUrl, key, { lazy: true });
  const receipts = new Map<number, number>();
  let connected = false;
  let gotSnapshot: () => void = () => undefined;
  let failSnapshot: (error: unknown) => void = () => undefined;
  const snapshot = new Promise<void>((resolve, reject) => {
    gotSnapshot = resolve;
    failSnapshot = reject;
  });
  let dispose: () => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    dispose = client.subscribe<{ jobEvents: JobEventItem }>(
      { query: JOB_EVENTS_MINIMAL, variables: { jobId, afterSeq: 0 } },
      {
        next: (result) => {
          const now = performance.now();
          const item = result.data?.jobEvents;
          if (!item) return;
          if (item.__typename === 'JobSnapshot') {
            connected = true;
            gotSnapshot();
          } else receipts.set(item.seq, now);
        },
        error: (error) => {
          failSnapshot(error);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => resolve(),
      },
    );
  });
  done.catch(() => undefined);
  snapshot.catch(() => undefined);
  return { client, dispose, snapshot, receipts, done, connected: () => connected };
}

/**
 * N graphql-ws subscribers (one WebSocket each) on one job of one API process; the bench appends events
 * straight to the job's Redis stream (the worker's path) and times each subscriber's receipt against the
 * append. The job is real (the API checks it exists and belongs to the tenant): the emulator is made slow
 * while it is submitted, so the worker holds it in Runware while the bench owns its stream.
 */
interface FanoutOptions {
  apiUrl: string;
  apiKey: string;
  redisUrl: string;
  client: PlatformClient;
  emulator: EmulatorAdmin;
  referenceId: string;
  subscribers: number;
  events: number;
  apiPid: () => number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const perDelivery = (ms: number, received: number) =>
  received > 0 ? Math.round((ms / received) * 1000) / 1000 : Number.NaN;
const mib = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;

/** A real job parked in Runware (a 15-minute generation) once it reached `submitted`. */
async function parkedJob(
  options: FanoutOptions,
  log: JobEventLog,
  before: LatencyModel,
  onStarted: (jobId: string) => void,
): Promise<{ id: string; runwareTaskUUID: string; last: JobEvent }> {
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
  await options.emulator.setLatency(before);
  return { ...job, last };
}

/** Opens the subscribers 100 at a time, each batch until its snapshots arrived (or a minute passed). */
async function connectSubscribers(
  options: FanoutOptions,
  jobId: string,
  into: Subscriber[],
): Promise<number> {
  const connectStart = performance.now();
  for (let i = 0; i < options.subscribers; i += 100) {
    const batch: Subscriber[] = [];
    for (let j = i; j < Math.min(options.subscribers, i + 100); j++)
      batch.push(subscribe(options.apiUrl, options.apiKey, jobId));
    into.push(...batch);
    await Promise.allSettled(batch.map((s) => Promise.race([s.snapshot, sleep(60_000)])));
  }
  return performance.now() - connectStart;
}

/** The seq-th event the bench appends: `submitted` repeats, the last one ends the job (`cancelled`). */
function benchEvent(jobId: string, seq: number, terminal: boolean, runwareTaskUUID: string): JobEvent {
  const at = new Date().toISOString();
  return (
    terminal
      ? { jobId, seq, at, stage: 'cancelled', data: { reason: 'bench fan-out finished' } }
      : { jobId, seq, at, stage: 'submitted', data: { runwareTaskUUID, numberResults: 1 } }
  ) as JobEvent;
}

/** Appends the events one at a time; returns when each was appended (by seq). */
async function appendEvents(
  options: FanoutOptions,
  log: JobEventLog,
  job: { id: string; runwareTaskUUID: string; last: JobEvent },
  subscribers: Subscriber[],
  connected: number,
): Promise<Map<number, number>> {
  const appendedAt = new Map<number, number>();
  const lastSeq = job.last.seq + options.events;
  for (let seq = job.last.seq + 1; seq <= lastSeq; seq++) {
    appendedAt.set(seq, performance.now());
    await log.append(benchEvent(job.id, seq, seq === lastSeq, job.runwareTaskUUID));
    // Next event once (nearly) everyone has this one, so fan-outs do not overlap.
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline) {
      const missing = subscribers.filter((s) => !s.receipts.has(seq)).length;
      if (missing <= options.subscribers - connected) break;
      await sleep(5);
    }
    await sleep(50);
  }
  return appendedAt;
}

/** Delivery latencies: each receipt against the append of its seq. */
function deliveries(subscribers: Subscriber[], appendedAt: Map<number, number>): number[] {
  const samples: number[] = [];
  for (const s of subscribers) {
    for (const [seq, at] of s.receipts) {
      const appended = appendedAt.get(seq);
      if (appended !== undefined) samples.push(at - appended);
    }
  }
  return samples;
}

export async function fanoutPhase(options: FanoutOptions): Promise<FanoutResult> {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
  const log = new JobEventLog(redis);
  const before: LatencyModel = await options.emulator.latency();
  let jobId: string | undefined;
  const subscribers: Subscriber[] = [];
  try {
    const job = await parkedJob(options, log, before, (id) => {
      jobId = id;
    });
    const connectMs = await connectSubscribers(options, job.id, subscribers);
    const connected = subscribers.filter((s) => s.connected()).length;

    const apiPid = options.apiPid();
    const apiBefore = apiPid ? sampleProcess(apiPid) : undefined;
    const driverBefore = process.cpuUsage();
    const appendedAt = await appendEvents(options, log, job, subscribers, connected);
    const apiAfter = apiPid ? sampleProcess(apiPid) : undefined;
    const driverCpu = process.cpuUsage(driverBefore);
    const samples = deliveries(subscribers, appendedAt);
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
