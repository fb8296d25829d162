import type { JobEvent, JobState } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import type { EventSink } from '../src/events/event-hub.ts';
import type { QueueListener } from '../src/events/queue-watch.ts';
import type { JobWatcher } from '../src/events/unfinished-job-watch.ts';
import { FollowJob, type JobEventItem } from '../src/jobs/follow-job.ts';
import { JOB_ID, logger, queuedJob } from './support/in-process.ts';

// follow-job with an in-memory hub and watch (the real EventHub and UnfinishedJobWatch run against Redis
// and Temporal in event-hub.test.ts, unfinished-jobs.test.ts and the subscription suites).

const at = '2026-11-24T10:00:01.000Z';
const event = (seq: number, stage: JobEvent['stage'], data: unknown) =>
  ({ jobId: JOB_ID, seq, at, stage, data }) as JobEvent;

function setup(state: JobState | undefined) {
  const sinks = new Map<string, { after: number; sink: EventSink }>();
  const watchers = new Set<JobWatcher>();
  const queued = new Map<string, QueueListener>();
  let detached = 0;
  const follow = new FollowJob({
    read: async () => state,
    hub: {
      attach: (jobId, after, sink) => {
        sinks.set(jobId, { after, sink });
        return () => {
          detached++;
          sinks.delete(jobId);
        };
      },
    },
    unfinished: {
      watch: (_jobId, watcher) => {
        watchers.add(watcher);
        return () => watchers.delete(watcher);
      },
    },
    queue: {
      watch: (jobId, listener) => {
        queued.set(jobId, listener);
        return () => queued.delete(jobId);
      },
    },
  });
  return { follow, sinks, watchers, queued, detached: () => detached };
}

async function drain(stream: AsyncIterable<JobEventItem>): Promise<JobEventItem[]> {
  const items: JobEventItem[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe('follow-job', () => {
  it('is undefined for a job that does not exist for the tenant', async () => {
    expect(await setup(undefined).follow.follow('acme', JOB_ID, { logger })).toBeUndefined();
  });

  it('yields the snapshot, then live events after max(afterSeq, snapshot seq), ending at the terminal one', async () => {
    const { follow, sinks, watchers, detached } = setup({ ...queuedJob(), seq: 2, status: 'RUNNING' });
    let closed = 0;
    const stream = await follow.follow('acme', JOB_ID, { logger, afterSeq: 1, onClose: () => closed++ });
    expect(sinks.get(JOB_ID)?.after).toBe(2);
    sinks.get(JOB_ID)?.sink.deliver([event(3, 'delivering', { webhook: false, uploadEndpoint: false })]);
    sinks.get(JOB_ID)?.sink.deliver([event(4, 'succeeded', { imageCount: 1, cost: null })]);
    const items = await drain(stream as AsyncIterable<JobEventItem>);
    expect(items.map((item) => (item.kind === 'event' ? item.event.stage : item.kind))).toEqual([
      'snapshot',
      'delivering',
      'succeeded',
    ]);
    expect([closed, detached(), watchers.size]).toEqual([1, 1, 0]);
  });

  it('ends a job that finished without a terminal event with a final snapshot from the watch', async () => {
    const { follow, watchers } = setup({ ...queuedJob(), status: 'RUNNING' });
    const stream = await follow.follow('acme', JOB_ID, { logger });
    const [watcher] = [...watchers];
    expect(watcher?.tenant).toBe('acme');
    watcher?.ended({ ...queuedJob(), status: 'FAILED', stage: 'failed' });
    const items = await drain(stream as AsyncIterable<JobEventItem>);
    expect(items.map((item) => item.kind === 'snapshot' && item.state.status)).toEqual(['RUNNING', 'FAILED']);
  });

  it('follows a finished job no further than its snapshot', async () => {
    const { follow, sinks } = setup({ ...queuedJob(), status: 'SUCCEEDED', stage: 'succeeded' });
    let opened = 0;
    const stream = await follow.follow('acme', JOB_ID, { logger, onOpen: () => opened++ });
    expect(await drain(stream as AsyncIterable<JobEventItem>)).toHaveLength(1);
    expect([opened, sinks.size]).toEqual([1, 0]);
  });

  it('return() stops following at once, even while the consumer waits for the next event', async () => {
    const { follow, sinks, detached } = setup({ ...queuedJob(), status: 'RUNNING' });
    const stream = (await follow.follow('acme', JOB_ID, { logger })) as AsyncIterableIterator<JobEventItem>;
    await stream.next();
    const waiting = stream.next();
    await stream.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect([detached(), sinks.size]).toEqual([1, 0]);
  });

  it('with queueUpdates, a queued job yields queue items at the last seq seen, until its next logged stage', async () => {
    const { follow, sinks, queued } = setup({ ...queuedJob(), seq: 1, stage: 'queued' });
    const stream = (await follow.follow('acme', JOB_ID, {
      logger,
      queueUpdates: true,
    })) as AsyncIterableIterator<JobEventItem>;
    const update = {
      position: 3,
      estimatedStartAt: '2026-11-24T10:00:41.000Z',
      estimatedFinishAt: '2026-11-24T10:01:10.000Z',
    };
    queued.get(JOB_ID)?.(update);
    sinks.get(JOB_ID)?.sink.deliver([event(2, 'uploading_references', { count: 1 })]);
    // The job holds a slot now: the queue watch was let go.
    expect(queued.size).toBe(0);
    sinks.get(JOB_ID)?.sink.deliver([event(3, 'cancelled', {})]);
    const items = await drain(stream);
    expect(items.map((item) => item.kind)).toEqual(['snapshot', 'queue', 'event', 'event']);
    expect(items[1]).toMatchObject({ kind: 'queue', jobId: JOB_ID, seq: 1, numberResults: 1, update });
  });

  it('asks the queue about nothing without queueUpdates, for a running job, and after return()', async () => {
    const plain = setup(queuedJob());
    await plain.follow.follow('acme', JOB_ID, { logger });
    expect(plain.queued.size).toBe(0);
    const running = setup({ ...queuedJob(), seq: 2, status: 'RUNNING', stage: 'submitted' });
    await running.follow.follow('acme', JOB_ID, { logger, queueUpdates: true });
    expect(running.queued.size).toBe(0);
    const left = setup(queuedJob());
    const stream = await left.follow.follow('acme', JOB_ID, { logger, queueUpdates: true });
    expect(left.queued.size).toBe(1);
    await stream?.return?.();
    expect(left.queued.size).toBe(0);
  });
});
