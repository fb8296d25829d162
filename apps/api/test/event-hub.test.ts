import { randomUUID } from 'node:crypto';
import { JobEventLog } from '@photomaker/events';
import { createLogger } from '@photomaker/observability';
import type { JobEvent } from '@photomaker/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../src/events/event-hub.ts';
import { eventually, stack } from './helpers.ts';

let redis: Redis;
let log: JobEventLog;
let hub: EventHub;

beforeAll(async () => {
  redis = new Redis(stack().redisUrl, { connectionName: 'hub-test' });
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
  redis.disconnect();
});

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

describe('EventHub (one Redis reader per process)', () => {
  it('hands each subscriber every event after its seq, in order, once; detaches after the terminal event', async () => {
    const jobId = randomUUID();
    const e = events(jobId);
    await log.appendAll([e.queued(1), e.uploading(2)]);
    const fromStart = sink();
    const fromTwo = sink();
    hub.attach(jobId, 0, fromStart);
    hub.attach(jobId, 2, fromTwo);
    await eventually(async () => fromStart.seen.length === 2);
    await log.appendAll([e.uploading(3), e.uploading(4), e.succeeded(5)]);
    await eventually(async () => fromStart.seen.length === 5 && fromTwo.seen.length === 3);
    expect(fromStart.seen).toEqual([1, 2, 3, 4, 5]);
    expect(fromTwo.seen).toEqual([3, 4, 5]);
    expect(hub.stats).toEqual({ jobs: 0, subscribers: 0 });
  });

  it('picks up a job attached while the reader is blocked (CLIENT UNBLOCK), with many subscribers on one connection', async () => {
    const busy = randomUUID();
    hub.attach(busy, 0, sink());
    // Let the reader block on `busy` alone.
    await new Promise((r) => setTimeout(r, 200));
    const jobId = randomUUID();
    const sinks = Array.from({ length: 50 }, () => sink());
    for (const s of sinks) hub.attach(jobId, 0, s);
    await log.append(events(jobId).queued(1));
    await eventually(async () => sinks.every((s) => s.seen.length === 1), 10_000);
    // The hub holds exactly two connections (commands are ours; the reader is its duplicate), not one per subscriber.
    const clients = String(await redis.call('CLIENT', 'LIST'))
      .split('\n')
      .filter((line) => line.includes('name=photomaker-api-event-reader'));
    expect(clients).toHaveLength(1);
    expect(hub.stats.subscribers).toBe(51);
  });

  it('stops handing out events to a detached subscriber', async () => {
    const jobId = randomUUID();
    const s = sink();
    const detach = hub.attach(jobId, 0, s);
    await log.append(events(jobId).queued(1));
    await eventually(async () => s.seen.length === 1);
    detach();
    await log.append(events(jobId).uploading(2));
    const other = sink();
    hub.attach(jobId, 0, other);
    await eventually(async () => other.seen.length === 2);
    expect(s.seen).toEqual([1]);
  });
});
