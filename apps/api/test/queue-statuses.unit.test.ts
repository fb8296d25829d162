import type { Logger } from '@photomaker/observability';
import type { QueueStatus } from '@photomaker/temporal';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type QueueUpdate, QueueWatch } from '../src/events/queue-watch.ts';
import { MAX_IDS_PER_QUERY, QueueStatuses } from '../src/jobs/queue-statuses.ts';

// QueueStatuses (the batched, briefly cached admission query) and QueueWatch (the one poller behind the
// live JobQueued updates) with the admission workflow's query faked. The real query runs against the
// admission workflow on Temporal in queue-view.test.ts.

function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_obj: unknown, msg?: string) => {
    lines.push({ level, msg: typeof _obj === 'string' ? _obj : (msg ?? '') });
  };
  return { lines, logger: { warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Logger };
}

const queued = (
  jobId: string,
  position: number,
  startInS = 40,
): QueueStatus & { estimatedStartAt: string; estimatedFinishAt: string } => ({
  jobId,
  state: 'queued',
  position,
  estimatedStartAt: new Date(Date.parse('2026-11-24T10:00:00Z') + startInS * 1000).toISOString(),
  estimatedFinishAt: new Date(Date.parse('2026-11-24T10:00:00Z') + (startInS + 30) * 1000).toISOString(),
});

/** A fake admission query: records each call's ids, answers from `table`. */
function admission(table: Map<string, QueueStatus>) {
  const calls: string[][] = [];
  const source = async (ids: string[]) => {
    calls.push(ids);
    return ids.flatMap((id) => {
      const status = table.get(id);
      return status ? [status] : [];
    });
  };
  return { calls, source };
}

const ids = (n: number, prefix = 'job') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('QueueStatuses', () => {
  it('answers 100 lookups in one tick with one query, and again from its cache within the TTL', async () => {
    const table = new Map(ids(100).map((id, i) => [id, queued(id, i + 1)]));
    const { calls, source } = admission(table);
    const statuses = new QueueStatuses({ source, logger: recordingLogger().logger, ttlMs: 60_000 });
    const found = await Promise.all(ids(100).map((id) => statuses.load(id)));
    expect(found.map((s) => s?.position)).toEqual(ids(100).map((_, i) => i + 1));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toHaveLength(100);
    await statuses.load('job-7');
    expect(calls).toHaveLength(1);
  });

  it('asks again once the TTL passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { calls, source } = admission(new Map([['a', queued('a', 2)]]));
      const statuses = new QueueStatuses({ source, logger: recordingLogger().logger, ttlMs: 500 });
      await statuses.load('a');
      vi.advanceTimersByTime(400);
      await statuses.load('a');
      expect(calls).toHaveLength(1);
      vi.advanceTimersByTime(200);
      await statuses.load('a');
      expect(calls).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it(`splits more than ${MAX_IDS_PER_QUERY} ids into queries of at most ${MAX_IDS_PER_QUERY}`, async () => {
    const { calls, source } = admission(new Map());
    const statuses = new QueueStatuses({ source, logger: recordingLogger().logger });
    const found = await statuses.loadMany(ids(1_200));
    expect(found.size).toBe(0);
    expect(calls.map((c) => c.length)).toEqual([500, 500, 200]);
  });

  it('answers undefined for unknown ids and while admission fails, logging the outage once', async () => {
    const { lines, logger } = recordingLogger();
    let down = true;
    let asked = 0;
    const statuses = new QueueStatuses({
      source: async (ids) => {
        asked += 1;
        if (down) throw new Error('workflow not found for ID: photomaker-admission');
        return ids.includes('a') ? [queued('a', 1)] : [];
      },
      logger,
      ttlMs: 0,
      backoffMs: 0,
    });
    expect(await statuses.load('a')).toBeUndefined();
    expect(await statuses.load('b')).toBeUndefined();
    expect(asked).toBe(2);
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    down = false;
    expect((await statuses.load('a'))?.position).toBe(1);
    expect(await statuses.load('b')).toBeUndefined();
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
  });

  it('after a failure, answers at once without asking again until the backoff passed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      let asked = 0;
      const statuses = new QueueStatuses({
        source: async () => {
          asked += 1;
          throw new Error('context deadline exceeded');
        },
        logger: recordingLogger().logger,
        ttlMs: 0,
        backoffMs: 5_000,
      });
      await statuses.load('a');
      vi.advanceTimersByTime(4_000);
      expect(await statuses.load('a')).toBeUndefined();
      expect(asked).toBe(1);
      vi.advanceTimersByTime(1_500);
      await statuses.load('a');
      expect(asked).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('QueueWatch', () => {
  afterEach(() => vi.useRealTimers());

  /** A watch over a mutable table, polled by hand (fake timers). */
  function watching(initial: QueueStatus[]) {
    vi.useFakeTimers();
    const table = new Map(initial.map((s) => [s.jobId, s]));
    const { calls, source } = admission(table);
    const statuses = new QueueStatuses({ source, logger: recordingLogger().logger, ttlMs: 0 });
    const watch = new QueueWatch({ statuses, logger: recordingLogger().logger, intervalMs: 1_000 });
    const seen = new Map<string, QueueUpdate[]>();
    const listen = (jobId: string) => {
      const list: QueueUpdate[] = [];
      seen.set(jobId, list);
      return watch.watch(jobId, (u) => list.push(u));
    };
    return { table, calls, watch, seen, listen };
  }

  it('polls every watched job in one query a second, and tells only about changes', async () => {
    const { table, calls, seen, listen } = watching([queued('a', 3), queued('b', 5)]);
    listen('a');
    listen('b');
    await vi.advanceTimersByTimeAsync(0); // the seeds: what the snapshots showed
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen.get('a')).toEqual([]);
    table.set('a', queued('a', 2, 30));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen.get('a')?.map((u) => u.position)).toEqual([2]);
    expect(seen.get('b')).toEqual([]);
    // One query per poll for both jobs (plus the two seeds of the first tick).
    expect(calls.slice(-2).every((c) => c.length === 2)).toBe(true);
    // An estimate that moved by less than 2 s is no news; by 2 s or more it is.
    table.set('b', { ...queued('b', 5), estimatedStartAt: queued('b', 5, 41).estimatedStartAt });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen.get('b')).toEqual([]);
    table.set('b', queued('b', 5, 45));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen.get('b')?.map((u) => u.estimatedStartAt)).toEqual([queued('b', 5, 45).estimatedStartAt]);
  });

  it('sends at most one update per job per interval, even when a slow query ends just before a fast one', async () => {
    vi.useFakeTimers();
    const table = new Map([['a', queued('a', 9)]]);
    const delays = [0, 900, 0, 0];
    const statuses = new QueueStatuses({
      source: async (asked) => {
        await new Promise((resolve) => setTimeout(resolve, delays.shift() ?? 0));
        return asked.flatMap((id) => table.get(id) ?? []);
      },
      logger: recordingLogger().logger,
      ttlMs: 0,
    });
    const watch = new QueueWatch({ statuses, logger: recordingLogger().logger, intervalMs: 1_000 });
    const sentAt: number[] = [];
    watch.watch('a', () => sentAt.push(Date.now()));
    await vi.advanceTimersByTimeAsync(0);
    // Poll 1 starts at 1 000 and answers at 1 900 (position 8); poll 2 starts at 2 000 and answers at once
    // (position 7): only 100 ms after the last update, so it waits for poll 3.
    table.set('a', queued('a', 8));
    await vi.advanceTimersByTimeAsync(1_950);
    table.set('a', queued('a', 7));
    await vi.advanceTimersByTimeAsync(2_100);
    expect(sentAt.length).toBe(2);
    expect((sentAt[1] ?? 0) - (sentAt[0] ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it('lets a job go once admission says it runs, and stops polling when nobody watches', async () => {
    const { table, calls, watch, listen } = watching([queued('a', 1), queued('b', 2)]);
    const stopA = listen('a');
    const stopB = listen('b');
    await vi.advanceTimersByTimeAsync(0);
    table.set('a', { jobId: 'a', state: 'running' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(watch.size).toBe(1);
    stopA();
    stopB();
    expect(watch.size).toBe(0);
    const before = calls.length;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.length).toBe(before);
  });
});
