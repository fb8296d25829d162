import type { RunningNodeApp } from '@photomaker/harness';
import type { Client as WsClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectGapFreeResume } from './gap-free.ts';
import {
  baseInput,
  collect,
  GENERATE,
  gql,
  JOB_EVENTS,
  setEmulatorLatency,
  startApi,
  startApiProcess,
  tenants,
  wsClient,
} from './helpers.ts';

const who = tenants('subs');
const key = who.subs.key;
type Item = { jobEvents: { __typename: string; seq: number; stage: string; at: string } };

const processes: RunningNodeApp[] = [];
async function apiProcess(): Promise<RunningNodeApp> {
  const started = await startApiProcess(who);
  processes.push(started);
  return started;
}

async function startJob(url: string, numberResults: number): Promise<string> {
  const { data, errors } = await gql<{ generatePhotoMaker: { id: string } }>(url, key, GENERATE, {
    input: baseInput({ numberResults }),
  });
  expect(errors).toBeUndefined();
  return data?.generatePhotoMaker.id ?? '';
}

beforeAll(async () => {
  await setEmulatorLatency(400);
});

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await setEmulatorLatency(0);
});

describe('jobEvents across API processes', () => {
  it('two API processes serve the same job’s events, identically and in order', async () => {
    const [a, b] = await Promise.all([apiProcess(), apiProcess()]);
    // Started through A, long enough (5 x 400 ms) that both subscribe while it runs.
    const jobId = await startJob(a.url ?? '', 5);
    const clientA = wsClient(a.url ?? '', key);
    const clientB = wsClient(b.url ?? '', key);
    try {
      const [fromA, fromB] = await Promise.all([
        collect<Item>(clientA, JOB_EVENTS, { jobId }).done,
        collect<Item>(clientB, JOB_EVENTS, { jobId }).done,
      ]);
      const events = (items: Item[]) => items.slice(1).map((i) => i.jobEvents);
      for (const items of [fromA, fromB]) {
        expect(items[0]?.jobEvents.__typename).toBe('JobSnapshot');
        expect(events(items).at(-1)?.__typename).toBe('JobSucceeded');
      }
      // Both replicas end with the same events (each after its own snapshot).
      const last = (items: Item[]) => events(items).map((e) => `${e.seq}:${e.stage}`);
      const shared = Math.min(last(fromA).length, last(fromB).length);
      expect(last(fromA).slice(-shared)).toEqual(last(fromB).slice(-shared));
    } finally {
      await Promise.all([clientA.dispose(), clientB.dispose()]);
    }
  });

  it('a client that resumes with its last seq on a restarted API misses nothing', async () => {
    // Long enough that the job is still running when the new process is up, even on a loaded 2-core
    // machine where an API process takes several seconds to start: 20 images x 2.5 s, one Runware task per
    // image and at most 4 at once, is 5 rounds (~12 s), the first image after the first.
    await setEmulatorLatency(2_500);
    const first = await apiProcess();
    const jobId = await startJob(first.url ?? '', 20);
    const client = wsClient(first.url ?? '', key);
    const seen: Item['jobEvents'][] = [];
    // Read until the first image is ready, then the API process dies mid-stream.
    await new Promise<void>((resolve, reject) => {
      const stream = collect<Item>(client, JOB_EVENTS, { jobId }, (item) => {
        seen.push(item.jobEvents);
        if (item.jobEvents.__typename === 'JobImageReady') resolve();
      });
      stream.done.then(() => resolve(), reject);
    });
    await first.kill();
    await client.dispose();
    const lastSeq = seen.at(-1)?.seq ?? 0;
    expect(seen.at(-1)?.__typename).not.toBe('JobSucceeded');

    const second = await apiProcess();
    const resumed = wsClient(second.url ?? '', key);
    try {
      const rest = (await collect<Item>(resumed, JOB_EVENTS, { jobId, afterSeq: lastSeq }).done).map(
        (i) => i.jobEvents,
      );
      // Snapshot seq + the events after it continue exactly where the client stopped: no gap, no repeat.
      expectGapFreeResume(seen, lastSeq, rest);
    } finally {
      await resumed.dispose();
      await setEmulatorLatency(400);
    }
  });
});

describe('fan-out on one process', () => {
  it('delivers every event of a job to many subscribers through one Redis reader (prints delivery latency)', async () => {
    const api = await startApi(who);
    const subscribers = 200;
    const clients = Array.from({ length: 10 }, () => wsClient(api.url, key));
    try {
      const jobId = await startJob(api.url, 4);
      const latencies: number[] = [];
      const streams = Array.from({ length: subscribers }, (_, i) =>
        (() => {
          let attachedAt = Number.POSITIVE_INFINITY;
          return collect<Item>(clients[i % clients.length] as WsClient, JOB_EVENTS, { jobId }, (item) => {
            const now = Date.now();
            if (item.jobEvents.__typename === 'JobSnapshot') attachedAt = now;
            // Live deliveries only: events logged after this subscriber was attached (not catch-up reads).
            else if (Date.parse(item.jobEvents.at) > attachedAt)
              latencies.push(now - Date.parse(item.jobEvents.at));
          });
        })(),
      );
      const results = await Promise.all(streams.map((s) => s.done));
      for (const items of results) {
        // Late subscribers may find the job finished: then the snapshot alone (SUCCEEDED) is the whole story.
        const last = items.at(-1)?.jobEvents as { __typename: string; status?: string };
        expect(
          last.__typename === 'JobSucceeded' || (items.length === 1 && last.status === 'SUCCEEDED'),
        ).toBe(true);
      }
      expect(results.filter((items) => items.length > 1).length).toBeGreaterThan(0);
      expect(api.server.parts.hub.stats).toEqual({ jobs: 0, subscribers: 0 });
      latencies.sort((x, y) => x - y);
      const pct = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
      console.warn(
        `fan-out: ${subscribers} subscribers, ${latencies.length} live deliveries, worker append -> client p50 ${pct(50)} ms, p99 ${pct(99)} ms`,
      );
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      await api.server.close();
    }
  });
});
