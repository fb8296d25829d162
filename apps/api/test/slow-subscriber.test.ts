import { readFileSync } from 'node:fs';
import { JobEventLog } from '@photomaker/events';
import type { RunningNodeApp } from '@photomaker/harness';
import type { JobEvent } from '@photomaker/schema';
import { createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_MAX_BUFFERED_BYTES, SLOW_CONSUMER_CLOSE } from '../src/graphql/ws-backpressure.ts';
import {
  baseInput,
  collect,
  eventually,
  GENERATE,
  gql,
  JOB_EVENTS,
  setEmulatorLatency,
  stack,
  startApiProcess,
  tenants,
  wsClient,
} from './helpers.ts';

const who = tenants('slow');
const key = who.slow.key;
type Item = { jobEvents: { __typename: string; seq: number; stage: string } };

/** Every socket the slow client opens, so the test can stop reading its bytes. */
const opened: WebSocket[] = [];
class RecordedSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    opened.push(this);
  }
}
type RawSocket = { pause(): void; resume(): void };
const rawOf = (socket: WebSocket) => (socket as unknown as { _socket: RawSocket })._socket;

const rssMiB = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

function submitted(jobId: string, seq: number, terminal: boolean): JobEvent {
  const at = new Date().toISOString();
  if (terminal) return { jobId, seq, at, stage: 'cancelled', data: { reason: 'test over' } } as JobEvent;
  return {
    jobId,
    seq,
    at,
    stage: 'submitted',
    data: { runwareTaskUUID: '00000000-0000-4000-8000-000000000000', numberResults: 1 },
  } as JobEvent;
}

let api: RunningNodeApp;
let redis: Redis;

beforeAll(async () => {
  api = await startApiProcess(who);
  redis = new Redis(stack().env.REDIS_URL ?? '');
});

afterAll(async () => {
  await setEmulatorLatency(0);
  await api?.stop();
  redis?.disconnect();
});

describe('a graphql-ws subscriber that stops reading', () => {
  it('is closed with 4008 at a bounded backlog, resumes by afterSeq gap-free; a fast one is unaffected', async () => {
    const url = api.url ?? '';
    const pid = api.process.pid ?? 0;
    const log = new JobEventLog(redis);
    // A job held in Runware, so the test owns its event stream from `submitted` on.
    await setEmulatorLatency(600_000);
    const started = await gql<{ generatePhotoMaker: { id: string } }>(url, key, GENERATE, {
      input: baseInput(),
    });
    const jobId = started.data?.generatePhotoMaker.id ?? '';
    const first = await eventually(async () => {
      const last = await log.last(jobId);
      return last?.stage === 'submitted' ? last : undefined;
    });

    const fastClient = wsClient(url, key);
    const fast = collect<Item>(fastClient, JOB_EVENTS, { jobId });
    const slowClient = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: RecordedSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
      lazy: true,
    });
    let slowClosed: { code: number; reason: string } | undefined;
    const slow = collect<Item>(slowClient, JOB_EVENTS, { jobId });
    slow.done.catch((error: { code?: number; reason?: string }) => {
      slowClosed = { code: error.code ?? 0, reason: error.reason ?? '' };
    });
    await eventually(async () => fast.items.length > 0 && slow.items.length > 0);
    const socket = opened.at(-1);
    if (!socket) throw new Error('the slow client opened no socket');
    rawOf(socket).pause();

    // Append until the API drops the slow socket (the kernel's socket buffers fill first).
    const rssBefore = rssMiB(pid);
    let rssMax = rssBefore;
    let seq = first.seq;
    const dropped = () =>
      api.process.waitForLine(/slow consumer/, 1).then(
        (match) => match,
        () => undefined,
      );
    let drop: RegExpMatchArray | undefined;
    while (!drop && seq < first.seq + 200_000) {
      const batch = Array.from({ length: 1_000 }, (_, i) => submitted(jobId, seq + i + 1, false));
      await log.appendAll(batch);
      seq += batch.length;
      rssMax = Math.max(rssMax, rssMiB(pid));
      drop = await dropped();
      if (!drop) await eventually(async () => fast.items.at(-1)?.jobEvents.seq === seq, 20_000, 20);
    }
    expect(drop).toBeDefined();
    // The backlog it was cut at: the bound plus at most the one frame that crossed it.
    const bufferedBytes = Number(/"bufferedBytes":(\d+)/.exec(drop?.input ?? '')?.[1]);
    expect(bufferedBytes).toBeGreaterThan(DEFAULT_MAX_BUFFERED_BYTES);
    expect(bufferedBytes).toBeLessThan(DEFAULT_MAX_BUFFERED_BYTES + 4_096);

    // More events after the drop; the slow client reads again and sees its close code.
    const after = Array.from({ length: 500 }, (_, i) => submitted(jobId, seq + i + 1, false));
    await log.appendAll(after);
    seq += after.length;
    rssMax = Math.max(rssMax, rssMiB(pid));
    rawOf(socket).resume();
    await eventually(async () => slowClosed, 20_000, 20);
    expect(slowClosed?.code).toBe(SLOW_CONSUMER_CLOSE);
    // Nothing past the bound piled up in the API (the fast subscriber's 1,000-event batches included).
    expect(rssMax - rssBefore).toBeLessThan(96);

    // It resubscribes from the last seq it saw (while the job runs: a finished job answers with its snapshot).
    const lastSeen = slow.items.at(-1)?.jobEvents.seq ?? 0;
    expect(lastSeen).toBeLessThan(seq);
    const resumedClient = wsClient(url, key);
    const resumed = collect<Item>(resumedClient, JOB_EVENTS, { jobId, afterSeq: lastSeen });
    await eventually(async () => resumed.items.length > 0);
    await log.append(submitted(jobId, seq + 1, true));
    seq += 1;
    // What it saw before the cut was gap-free; the resumed stream is a snapshot (which covers up to its
    // seq) then every later event, without a gap or a repeat, to the end.
    const before = slow.items.slice(1).map((item) => item.jobEvents.seq);
    expect(before).toEqual(before.map((_, i) => first.seq + 1 + i));
    const [snapshot, ...rest] = (await resumed.done).map((item) => item.jobEvents);
    expect(snapshot?.__typename).toBe('JobSnapshot');
    const from = Math.max(lastSeen, snapshot?.seq ?? 0);
    expect(rest.map((e) => e.seq)).toEqual(Array.from({ length: seq - from }, (_, i) => from + 1 + i));
    expect(rest.at(-1)?.__typename).toBe('JobCancelled');

    // The fast subscriber got every event once, in order, and completed.
    const fastSeqs = (await fast.done).slice(1).map((item) => item.jobEvents.seq);
    expect(fastSeqs).toEqual(Array.from({ length: seq - first.seq }, (_, i) => first.seq + 1 + i));
    await Promise.all([fastClient.dispose(), slowClient.dispose(), resumedClient.dispose()]);
    await gql(url, key, 'mutation Cancel($id: ID!) { cancelJob(id: $id) { id } }', { id: jobId });
  }, 300_000);
});
