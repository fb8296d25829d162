import {
  connectRedis,
  EventGapError,
  JobEventLog,
  parseClusterNodes,
  type RedisClient,
  shardOf,
  shardSlot,
} from '@photomaker/events';
import { type RunningRedisCluster, startRedisCluster } from '@photomaker/harness';
import { createLogger } from '@photomaker/observability';
import type { JobEvent } from '@photomaker/schema';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventHub } from '../src/events/event-hub.ts';
import { eventually } from './helpers.ts';

// A master of a real Redis Cluster fails while workers append job events and API processes' hubs
// fan them out. What Redis can lose: replication is asynchronous, so a master acknowledges an append
// before its replica has it; when the master dies (kill -9) the replica that takes over lacks the
// appends of that window. A clean failover (CLUSTER FAILOVER) waits for the replica to catch up and
// loses nothing. What the job-event protocol does about a loss (apps/worker/src/events/protocol.ts,
// rule 4): the next append finds the stream shorter than its seq (EVENT_GAP, with the stream's last
// seq) and the workflow publishes its events after that seq again, the same events. Subscribers are
// unaffected: a hub reads past its cursor only and hands a subscriber each seq once, so the events it
// already handed out before the loss are not handed again, and a subscriber that comes later reads the
// republished ones. (A lost terminal event with no append after it is not a gap anyone sees; the API's
// unfinished-job watch ends such a subscription from Temporal's state.)

const EVENTS_PER_JOB = 100;
const JOBS = 8;

let cluster: RunningRedisCluster;
const clients: RedisClient[] = [];
const hubs: EventHub[] = [];

function connect(name: string): RedisClient {
  const client = connectRedis({
    url: cluster.url,
    clusterNodes: parseClusterNodes(cluster.seeds),
    redisOptions: { connectionName: name },
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

function startHub(): EventHub {
  const hub = new EventHub({
    redis: connect('failover-hub'),
    logger: createLogger({ service: 'failover-test', level: 'error' }),
    blockMs: 1_000,
  });
  hub.start();
  hubs.push(hub);
  return hub;
}

beforeEach(async () => {
  cluster = await startRedisCluster();
});

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
  for (const client of clients.splice(0)) client.disconnect();
  await cluster.stop();
});

const event = (jobId: string, seq: number): JobEvent =>
  seq === EVENTS_PER_JOB
    ? { jobId, seq, at: new Date().toISOString(), stage: 'succeeded', data: { imageCount: 1, cost: null } }
    : { jobId, seq, at: new Date().toISOString(), stage: 'uploading_references', data: { count: seq } };

/**
 * A worker's publishing as the protocol has it: each event made once and kept; an append that failed
 * (the master went away) is sent again; a gap (Redis lost appends) republishes from the stream's end.
 */
async function publish(log: JobEventLog, jobId: string, progress: Map<string, number>): Promise<number> {
  const made: JobEvent[] = [];
  let repairs = 0;
  let seq = 1;
  while (seq <= EVENTS_PER_JOB) {
    made[seq - 1] ??= event(jobId, seq);
    try {
      await log.append(made[seq - 1] as JobEvent);
      progress.set(jobId, seq);
      seq++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    } catch (error) {
      if (error instanceof EventGapError) {
        repairs++;
        seq = error.lastSeq + 1;
      } else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return repairs;
}

function sink() {
  const seen: number[] = [];
  return {
    seen,
    deliver: (batch: JobEvent[]) => seen.push(...batch.map((e) => e.seq)),
    fail: () => undefined,
  };
}

const ALL = Array.from({ length: EVENTS_PER_JOB }, (_, i) => i + 1);

/** Jobs on the shards of several masters, at least two on `jobIds[0]`'s shard. */
function jobIdsAcrossShards(): string[] {
  const ids = Array.from({ length: 400 }, (_, i) => `failover-${i}`);
  const first = ids[0] ?? '';
  const mates = ids
    .filter((id) => id !== first && shardOf(id, 'cluster') === shardOf(first, 'cluster'))
    .slice(0, 1);
  const others = ids.filter((id) => shardOf(id, 'cluster') !== shardOf(first, 'cluster')).slice(0, JOBS - 2);
  return [first, ...mates, ...others];
}

async function runThroughFailover(fail: (masterPort: number) => Promise<unknown>) {
  const writer = new JobEventLog(connect('failover-writer'));
  const hubA = startHub();
  const hubB = startHub();
  const jobIds = jobIdsAcrossShards();
  const early = jobIds.map(() => sink());
  for (const [i, jobId] of jobIds.entries()) {
    hubA.attach(jobId, 0, early[i] ?? sink());
  }
  const progress = new Map<string, number>();
  const publishing = Promise.all(jobIds.map((jobId) => publish(writer, jobId, progress)));
  await eventually(async () => jobIds.every((id) => (progress.get(id) ?? 0) >= 10), 20_000);
  const victim = await cluster.masterOfSlot(shardSlot(shardOf(jobIds[0] ?? '', 'cluster')));
  await fail(victim);
  // Subscribers that come after the failover, from the start, on another API process.
  const late = jobIds.map(() => sink());
  for (const [i, jobId] of jobIds.entries()) hubB.attach(jobId, 0, late[i] ?? sink());
  const repairs = await publishing;
  await eventually(async () => [...early, ...late].every((s) => s.seen.length >= EVENTS_PER_JOB), 30_000);
  for (const s of [...early, ...late]) expect(s.seen).toEqual(ALL);
  for (const jobId of jobIds) expect((await writer.range(jobId)).map((e) => e.seq)).toEqual(ALL);
  expect(await cluster.masterPorts()).not.toContain(victim);
  return repairs.reduce((sum, n) => sum + n, 0);
}

describe('job events through a Redis Cluster failover (3 masters, a replica each)', () => {
  it('a clean failover (CLUSTER FAILOVER) during appends: nothing lost, nothing repaired, subscribers gap-free', async () => {
    const repairs = await runThroughFailover((port) => cluster.failover(port));
    expect(repairs).toBe(0);
  });

  it('kill -9 of a master whose replica lags: the lost appends are republished, subscribers see each event once', async () => {
    const repairs = await runThroughFailover((port) => cluster.kill(port, { replicaLagMs: 300 }));
    // The replica missed the appends of its 300 ms pause: the writers found the gap and repaired it.
    expect(repairs).toBeGreaterThan(0);
  });
});
