import { randomUUID } from 'node:crypto';
import { JobEventLog, masterConnections, type RedisClient, shardOf } from '@photomaker/events';
import { createLogger } from '@photomaker/observability';
import type { JobEvent } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../src/events/event-hub.ts';
import { eventually } from './helpers.ts';
import { REDIS_BACKENDS, type RedisBackend, startRedisBackend } from './support/redis-backends.ts';

const at = () => new Date().toISOString();
const events = (jobId: string) => ({
  queued: (seq: number): JobEvent => ({ jobId, seq, at: at(), stage: 'queued', data: { numberResults: 1 } }),
  uploading: (seq: number): JobEvent => ({
    jobId,
    seq,
    at: at(),
    stage: 'uploading_references',
    data: { count: 1 },
  }),
  succeeded: (seq: number): JobEvent => ({
    jobId,
    seq,
    at: at(),
    stage: 'succeeded',
    data: { imageCount: 1, cost: null },
  }),
});

function sink() {
  const seen: number[] = [];
  const failures: unknown[] = [];
  return {
    seen,
    failures,
    deliver: (batch: JobEvent[]) => seen.push(...batch.map((e) => e.seq)),
    fail: (e: unknown) => failures.push(e),
  };
}

/** Connections named as the hub's readers, on every master. */
async function readerConnections(redis: RedisClient): Promise<number> {
  let count = 0;
  for (const node of masterConnections(redis)) {
    const list = String(await node.call('CLIENT', 'LIST')).split('\n');
    count += list.filter((line) => line.includes('name=photomaker-api-event-reader')).length;
  }
  return count;
}

describe.each(REDIS_BACKENDS)('EventHub (one Redis reader per process, per shard) on a %s', (kind) => {
  let backend: RedisBackend;
  let redis: RedisClient;
  let log: JobEventLog;
  let hub: EventHub;
  /** The shards of every job attached so far: each has its reader (one on a single node). */
  const shards = new Set<number>();
  const attach = (...args: Parameters<EventHub['attach']>) => {
    shards.add(shardOf(args[0], log.layout));
    return hub.attach(...args);
  };

  beforeAll(async () => {
    backend = await startRedisBackend(kind, 'hub-test');
    redis = backend.client;
    log = new JobEventLog(redis);
    // A block far longer than the test timeout: only CLIENT UNBLOCK can make new jobs visible in time.
    hub = new EventHub({
      redis,
      logger: createLogger({ service: 'hub-test', level: 'warn' }),
      blockMs: 120_000,
    });
    hub.start();
  });

  afterAll(async () => {
    await hub.close();
    await backend.stop();
  });

  it('hands each subscriber every event after its seq, in order, once; detaches after the terminal event', async () => {
    const jobId = randomUUID();
    const e = events(jobId);
    await log.appendAll([e.queued(1), e.uploading(2)]);
    const fromStart = sink();
    const fromTwo = sink();
    attach(jobId, 0, fromStart);
    attach(jobId, 2, fromTwo);
    await eventually(async () => fromStart.seen.length === 2);
    await log.appendAll([e.uploading(3), e.uploading(4), e.succeeded(5)]);
    await eventually(async () => fromStart.seen.length === 5 && fromTwo.seen.length === 3);
    expect(fromStart.seen).toEqual([1, 2, 3, 4, 5]);
    expect(fromTwo.seen).toEqual([3, 4, 5]);
    expect(hub.stats).toEqual({ jobs: 0, subscribers: 0 });
  });

  it('picks up a job attached while the reader is blocked (CLIENT UNBLOCK), with many subscribers on one connection', async () => {
    const busy = randomUUID();
    attach(busy, 0, sink());
    // Let the reader block on `busy` alone.
    await new Promise((r) => setTimeout(r, 200));
    // A job of the same shard (on a cluster): the reader blocked on `busy` must be interrupted.
    let jobId = randomUUID();
    while (shardOf(jobId, log.layout) !== shardOf(busy, log.layout)) jobId = randomUUID();
    const sinks = Array.from({ length: 50 }, () => sink());
    for (const s of sinks) attach(jobId, 0, s);
    await log.append(events(jobId).queued(1));
    await eventually(async () => sinks.every((s) => s.seen.length === 1), 10_000);
    // One reader connection per shard (one on a single node; the commands connection is ours), not one per subscriber.
    expect(await readerConnections(redis)).toBe(shards.size);
    expect(hub.stats.subscribers).toBe(51);
  });

  it('follows jobs of every shard at once (a reader per shard on a cluster)', async () => {
    const jobIds = Array.from({ length: 24 }, () => randomUUID());
    const sinks = jobIds.map(() => sink());
    for (const [i, jobId] of jobIds.entries()) attach(jobId, 0, sinks[i] ?? sink());
    await new Promise((r) => setTimeout(r, 100));
    for (const jobId of jobIds) await log.appendAll([events(jobId).queued(1), events(jobId).succeeded(2)]);
    await eventually(async () => sinks.every((s) => s.seen.length === 2), 10_000);
    for (const s of sinks) expect(s.seen).toEqual([1, 2]);
  });

  it('stops handing out events to a detached subscriber', async () => {
    const jobId = randomUUID();
    const s = sink();
    const detach = attach(jobId, 0, s);
    await log.append(events(jobId).queued(1));
    await eventually(async () => s.seen.length === 1);
    detach();
    await log.append(events(jobId).uploading(2));
    const other = sink();
    attach(jobId, 0, other);
    await eventually(async () => other.seen.length === 2);
    expect(s.seen).toEqual([1]);
  });
});
