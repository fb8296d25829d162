import { keySlot } from './key-slot.ts';
import type { RedisClient } from './redis-client.ts';

/**
 * How keys are named: `single` (one Redis node) keeps the names every running deployment already has;
 * `cluster` adds hash tags so that what one command or script touches together lives in one slot. A
 * deployment moves from one to the other only with a new Redis (see the README, "Redis Cluster").
 */
export type KeyLayout = 'single' | 'cluster';

export const layoutOf = (redis: RedisClient): KeyLayout => (redis.isCluster ? 'cluster' : 'single');

/**
 * Jobs' keys are spread over this many hash tags in a cluster. Bounded on purpose: a blocking XREAD can
 * only name streams of one slot, so a reader of many jobs needs one blocking read per shard (at most
 * this many per API process), not one per job.
 */
export const EVENT_SHARDS = 16;

/** The shard of a job's keys (0 on a single node, where everything is one XREAD anyway). */
export const shardOf = (jobId: string, layout: KeyLayout = 'single'): number =>
  layout === 'cluster' ? keySlot(jobId) % EVENT_SHARDS : 0;

const shardTag = (shard: number) => `jobs-${shard}`;

/** The hash slot of a shard's keys in a cluster. */
export const shardSlot = (shard: number): number => keySlot(shardTag(shard));

/**
 * A key of one job (its event stream, record, tenant). All keys of a job share its shard's hash tag in a
 * cluster, so a script over a job's keys stays single-slot.
 */
export function jobKey(jobId: string, part: string, layout: KeyLayout = 'single'): string {
  return layout === 'cluster'
    ? `photomaker:{${shardTag(shardOf(jobId, layout))}}:job:${jobId}:${part}`
    : `photomaker:job:${jobId}:${part}`;
}

/** One Redis Stream per job. Entry id `<seq>-0` makes the stream itself the per-job sequence. */
export const streamKey = (jobId: string, layout: KeyLayout = 'single') => jobKey(jobId, 'events', layout);

/**
 * The prefix of a family of keys that one Lua script reads and writes together (the usage ledger, the
 * blob usage): one hash tag in a cluster, so every key of the family is in one slot.
 */
export function familyPrefix(family: 'usage' | 'blobs' | 'accounting', layout: KeyLayout = 'single'): string {
  return layout === 'cluster' ? `photomaker:{${family}}` : `photomaker:${family}`;
}
