import type { JobEvent } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EVENT_SHARDS,
  EventGapError,
  JobEventLog,
  type RedisClient,
  shardOf,
  streamKey,
} from '../src/index.ts';
import { BACKENDS, type Backend, startBackend } from './support/backends.ts';

const at = '2026-11-24T10:00:00.000Z';
const queued = (jobId: string, seq = 1): JobEvent => ({
  jobId,
  seq,
  at,
  stage: 'queued',
  data: { numberResults: 2 },
});
const uploading = (jobId: string, seq: number): JobEvent => ({
  jobId,
  seq,
  at,
  stage: 'uploading_references',
  data: { count: 1 },
});

describe.each(BACKENDS)('JobEventLog on a %s', (kind) => {
  let backend: Backend;
  let redis: RedisClient;
  let log: JobEventLog;

  beforeAll(async () => {
    backend = await startBackend(kind);
    redis = backend.client;
    log = new JobEventLog(redis, { ttlSeconds: 600 });
  });

  afterAll(() => backend.stop());

  it('appends in order and reads back from any seq', async () => {
    const jobId = 'job-order';
    expect(await log.appendAll([queued(jobId), uploading(jobId, 2), uploading(jobId, 3)])).toEqual([
      'appended',
      'appended',
      'appended',
    ]);
    expect((await log.range(jobId)).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await log.range(jobId, 2)).map((e) => e.seq)).toEqual([3]);
    expect((await log.last(jobId))?.seq).toBe(3);
    expect(await redis.ttl(streamKey(jobId, log.layout))).toBeGreaterThan(500);
  });

  it('treats a re-sent seq as a duplicate and stores it once', async () => {
    const jobId = 'job-dup';
    await log.append(queued(jobId));
    expect(await log.append(queued(jobId))).toBe('duplicate');
    expect(await log.range(jobId)).toHaveLength(1);
  });

  it('refuses a gap', async () => {
    const jobId = 'job-gap';
    await log.append(queued(jobId));
    await expect(log.append(uploading(jobId, 3))).rejects.toBeInstanceOf(EventGapError);
    expect((await log.range(jobId)).map((e) => e.seq)).toEqual([1]);
  });

  it('refuses malformed events before touching Redis', async () => {
    await expect(log.append({ ...queued('job-bad'), seq: 0 })).rejects.toThrow();
    expect(await log.last('job-bad')).toBeUndefined();
  });

  it('a blocking read wakes up on the next append', async () => {
    const jobId = 'job-block';
    await log.append(queued(jobId));
    const reader = new JobEventLog(backend.connect());
    const pending = reader.read(jobId, 1, { blockMs: 5_000 });
    await new Promise((r) => setTimeout(r, 50));
    await log.append(uploading(jobId, 2));
    expect((await pending).map((e) => e.seq)).toEqual([2]);
  });

  it('readMany serves many jobs in one call, returning only those with news', async () => {
    await log.append(queued('job-a'));
    await log.append(queued('job-b'));
    await log.append(uploading('job-b', 2));
    const result = await log.readMany(
      new Map([
        ['job-a', 1],
        ['job-b', 0],
        ['job-none', 0],
      ]),
    );
    expect([...result.keys()]).toEqual(['job-b']);
    expect(result.get('job-b')?.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('readMany reads jobs of every shard (one XREAD per shard in a cluster)', async () => {
    const jobIds = Array.from({ length: 40 }, (_, i) => `job-many-${i}`);
    // 40 jobs cover every shard: the case an XREAD over several slots would fail on in a cluster.
    if (kind === 'cluster')
      expect(new Set(jobIds.map((id) => shardOf(id, 'cluster'))).size).toBe(EVENT_SHARDS);
    for (const jobId of jobIds) await log.append(queued(jobId));
    const result = await log.readMany(new Map(jobIds.map((jobId) => [jobId, 0])));
    expect([...result.keys()].sort()).toEqual([...jobIds].sort());
    for (const jobId of jobIds) expect(result.get(jobId)?.map((e) => e.jobId)).toEqual([jobId]);
  });

  it('a blocking readMany over one shard wakes on an append to any of its jobs', async () => {
    const shardmates = Array.from({ length: 200 }, (_, i) => `job-mate-${i}`)
      .filter((id) => shardOf(id, log.layout) === shardOf('job-mate-0', log.layout))
      .slice(0, 3);
    expect(shardmates).toHaveLength(3);
    const reader = new JobEventLog(backend.connect());
    const pending = reader.readMany(new Map(shardmates.map((id) => [id, 0])), { blockMs: 5_000 });
    await new Promise((r) => setTimeout(r, 50));
    await log.append(queued(shardmates[2] ?? ''));
    expect([...(await pending).keys()]).toEqual([shardmates[2]]);
  });

  it('keeps the stream bounded', async () => {
    const small = new JobEventLog(redis, { maxLen: 3 });
    const jobId = 'job-bounded';
    await small.appendAll([queued(jobId), ...[2, 3, 4, 5].map((seq) => uploading(jobId, seq))]);
    expect(await redis.xlen(streamKey(jobId, log.layout))).toBe(3);
    expect((await small.last(jobId))?.seq).toBe(5);
  });
});
