import { randomUUID } from 'node:crypto';
import { JobEventLog } from '@photomaker/events';
import { createMetricsRegistry } from '@photomaker/observability';
import type { JobEvent } from '@photomaker/schema';
import { ApplicationFailure } from '@temporalio/common';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEventActivities } from '../src/events/event-activities.ts';
import { EVENT_CONFLICT, EVENT_GAP, eventGapOf } from '../src/events/protocol.ts';
import { StepWriter } from '../src/events/step-writer.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../src/metrics.ts';

// The job-event protocol (src/events/protocol.ts) against a real redis-server.

const redis = new Redis(inject('redisUrl'));
const log = new JobEventLog(redis);
let metrics: WorkerMetrics;
let jobId: string;

beforeEach(() => {
  metrics = createWorkerMetrics(createMetricsRegistry(`protocol-${randomUUID().slice(0, 8)}`));
  jobId = randomUUID();
});

afterAll(() => redis.disconnect());

/** The workflow's own event (what it numbers and hands to a step as unpublished). */
function workflowEvent(seq: number): JobEvent {
  return { jobId, seq, at: new Date().toISOString(), stage: 'queued', data: { numberResults: 1 } };
}

async function count(counter: WorkerMetrics['events'] | WorkerMetrics['jobs'], label: string) {
  const { values } = await counter.get();
  return values.filter((v) => Object.values(v.labels).includes(label)).reduce((sum, v) => sum + v.value, 0);
}

const open = (firstSeq: number, unpublished?: JobEvent[]) =>
  StepWriter.open({ log, metrics, jobId, range: { firstSeq, ...(unpublished ? { unpublished } : {}) } });

describe('a step appends within its range (rules 1 and 2)', () => {
  it('writes the workflow’s unpublished events first, then its own numbered on', async () => {
    const writer = await open(1, [workflowEvent(1)]);
    writer.append('submitted', { runwareTaskUUID: randomUUID(), numberResults: 1 });
    writer.append('succeeded', { imageCount: 0, cost: null });
    await writer.flush();
    const stream = await log.range(jobId);
    expect(stream.map((event) => [event.seq, event.stage])).toEqual([
      [1, 'queued'],
      [2, 'submitted'],
      [3, 'succeeded'],
    ]);
    expect(writer.events).toEqual(stream);
    expect(await count(metrics.events, 'appended')).toBe(3);
    expect(await count(metrics.jobs, 'succeeded')).toBe(1);
  });

  it('refuses unpublished events that do not open its range', async () => {
    await expect(open(1, [workflowEvent(2)])).rejects.toThrow(/unpublished event 2 does not follow seq 0/);
  });
});

describe('a retry adopts what was published (rule 3)', () => {
  it('reads its range back, sends nothing twice and numbers on after it', async () => {
    const first = await open(1, [workflowEvent(1)]);
    const submitted = first.append('submitted', { runwareTaskUUID: randomUUID(), numberResults: 2 });
    await first.flush();

    const retry = await open(1, [workflowEvent(1)]);
    expect(retry.events.map((event) => event.seq)).toEqual([1, 2]);
    expect(retry.has((event) => event.stage === 'submitted')).toBe(true);
    expect(retry.events[1]).toEqual(submitted);
    retry.append('failed', { error: { code: 'x', message: 'y', retryable: false } });
    await retry.flush();
    expect((await log.range(jobId)).map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(await count(metrics.events, 'duplicate')).toBe(0);
    expect(await count(metrics.jobs, 'failed')).toBe(1);
  });

  it('an attempt that finds its seq taken by another attempt fails with EVENT_CONFLICT', async () => {
    const zombie = await open(1);
    const retry = await open(1);
    zombie.append('submitted', { runwareTaskUUID: randomUUID(), numberResults: 1 });
    await zombie.flush();
    retry.append('submitted', { runwareTaskUUID: randomUUID(), numberResults: 1 });
    const failure = await retry.flush().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(EVENT_CONFLICT);
    expect((failure as ApplicationFailure).nonRetryable).toBe(false);
  });

  it('the workflow reads back what a failed step published (readEvents)', async () => {
    const { publishEvents, readEvents } = createEventActivities({ events: log, metrics });
    await publishEvents([workflowEvent(1)]);
    const step = await open(2);
    step.append('submitted', { runwareTaskUUID: randomUUID(), numberResults: 1 });
    await step.flush();
    expect((await readEvents({ jobId, afterSeq: 1 })).map((event) => event.stage)).toEqual(['submitted']);
  });
});

describe('a gap is repaired (rule 4)', () => {
  it('an append past the stream’s end fails with EVENT_GAP carrying the last seq, not retried', async () => {
    const { publishEvents } = createEventActivities({ events: log, metrics });
    await publishEvents([workflowEvent(1)]);
    // Redis lost the stream (a failover without persistence).
    await redis.del(`photomaker:job:${jobId}:events`);
    const step = await open(2);
    step.append('submitted', { runwareTaskUUID: randomUUID(), numberResults: 1 });
    const failure = await step.flush().catch((error: unknown) => error);
    expect((failure as ApplicationFailure).type).toBe(EVENT_GAP);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect(eventGapOf(failure)).toBe(0);
    const published = publishEvents([workflowEvent(3)]).catch((error: unknown) => error);
    expect(eventGapOf(await published)).toBe(0);
  });

  it('publishing again what the stream holds is a no-op; a terminal event counts once', async () => {
    const { publishEvents } = createEventActivities({ events: log, metrics });
    const end: JobEvent = {
      jobId,
      seq: 2,
      at: new Date().toISOString(),
      stage: 'cancelled',
      data: { reason: 'r' },
    };
    await publishEvents([workflowEvent(1), end]);
    await publishEvents([workflowEvent(1), end]);
    expect((await log.range(jobId)).map((event) => event.seq)).toEqual([1, 2]);
    expect(await count(metrics.events, 'duplicate')).toBe(2);
    expect(await count(metrics.jobs, 'cancelled')).toBe(1);
  });
});
