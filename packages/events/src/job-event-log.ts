import { type JobEvent, jobEventSchema } from '@photomaker/schema';
import { type KeyLayout, layoutOf, streamKey } from './keyspace.ts';
import { groupBySlot, type RedisClient } from './redis-client.ts';

export type AppendResult = 'appended' | 'duplicate';

export class EventGapError extends Error {
  readonly jobId: string;
  readonly seq: number;
  readonly lastSeq: number;
  constructor(jobId: string, seq: number, lastSeq: number) {
    super(`event ${seq} of job ${jobId} would leave a gap: the stream ends at ${lastSeq}`);
    this.name = 'EventGapError';
    this.jobId = jobId;
    this.seq = seq;
    this.lastSeq = lastSeq;
  }
}

// Atomic: a seq already present is a duplicate (an activity retry), a seq past last+1 is a gap and is
// refused, so a stream can never hold gaps or duplicates whatever order retries arrive in. One key: in a
// cluster the script runs on the master of the stream's slot.
const APPEND_SCRIPT = `
local seq = tonumber(ARGV[1])
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local lastSeq = 0
if #last > 0 then lastSeq = tonumber(string.match(last[1][1], '^(%d+)')) end
if seq <= lastSeq then return 'duplicate' end
if seq ~= lastSeq + 1 then return 'gap:' .. lastSeq end
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], ARGV[1] .. '-0', 'e', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 'appended'
`;

export interface JobEventLogOptions {
  /** Entries kept per job stream (a job emits ~25 at most; the cap guards against bugs). */
  maxLen?: number;
  /** Seconds a job's stream lives after its last append. */
  ttlSeconds?: number;
  /** Key names; by default those of the client's deployment (a plain connection to a cluster node needs `cluster`). */
  layout?: KeyLayout;
}

type StreamEntry = [id: string, fields: string[]];

/**
 * Events parsed lately, by their stored text: a job's stream is read again and again (each subscribe's
 * snapshot, the usage release, job(id) reads) and an entry never changes once appended, so its JSON
 * parse and schema check are done once. Shared objects: callers never mutate events (the hub already
 * hands one object to every subscriber).
 */
const PARSED_KEPT = 2_000;
type XReadReply = [key: string, entries: StreamEntry[]][] | null;

type RedisWithAppend = RedisClient & {
  photomakerAppendEvent(
    key: string,
    seq: string,
    payload: string,
    maxLen: string,
    ttl: string,
  ): Promise<string>;
};

/**
 * The offset-based progress log: the worker appends, API processes read from any seq. Blocking reads
 * (`read`, `readMany` with blockMs) hold their connection: give them a dedicated one (`redis.duplicate()`).
 * Works on one node or a cluster (`layout` says how keys are named, see keyspace.ts).
 */
export class JobEventLog {
  private readonly redis: RedisWithAppend;
  private readonly maxLen: number;
  private readonly ttlSeconds: number;
  private readonly parsed = new Map<string, JobEvent>();
  readonly layout: KeyLayout;

  constructor(redis: RedisClient, options: JobEventLogOptions = {}) {
    this.layout = options.layout ?? layoutOf(redis);
    this.maxLen = options.maxLen ?? 1000;
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
    if (!('photomakerAppendEvent' in redis)) {
      redis.defineCommand('photomakerAppendEvent', { numberOfKeys: 1, lua: APPEND_SCRIPT });
    }
    this.redis = redis as RedisWithAppend;
  }

  async append(event: JobEvent): Promise<AppendResult> {
    const checked = jobEventSchema.parse(event);
    const reply = await this.redis.photomakerAppendEvent(
      streamKey(checked.jobId, this.layout),
      String(checked.seq),
      JSON.stringify(checked),
      String(this.maxLen),
      String(this.ttlSeconds),
    );
    if (reply.startsWith('gap:')) throw new EventGapError(checked.jobId, checked.seq, Number(reply.slice(4)));
    return reply as AppendResult;
  }

  /** Appends in order; stops at the first failure (nothing after a gap is written). */
  async appendAll(events: readonly JobEvent[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const event of events) results.push(await this.append(event));
    return results;
  }

  /** Every stored event with seq > afterSeq, in order. */
  async range(jobId: string, afterSeq = 0): Promise<JobEvent[]> {
    const entries = (await this.redis.xrange(
      streamKey(jobId, this.layout),
      `${afterSeq + 1}-0`,
      '+',
    )) as StreamEntry[];
    return entries.map((entry) => this.parseEntry(entry));
  }

  /** The newest event, or undefined for an unknown/expired job. */
  async last(jobId: string): Promise<JobEvent | undefined> {
    const entries = (await this.redis.xrevrange(
      streamKey(jobId, this.layout),
      '+',
      '-',
      'COUNT',
      1,
    )) as StreamEntry[];
    return entries[0] ? this.parseEntry(entries[0]) : undefined;
  }

  /** Events after `afterSeq`, waiting up to blockMs for the first one (0 = don't wait). */
  async read(
    jobId: string,
    afterSeq: number,
    options: { blockMs?: number; count?: number } = {},
  ): Promise<JobEvent[]> {
    const result = await this.readMany(new Map([[jobId, afterSeq]]), options);
    return result.get(jobId) ?? [];
  }

  /**
   * One XREAD over many jobs: what lets one reader per API process serve every subscribed job.
   * Returns only jobs that have new events. In a cluster an XREAD names streams of one slot only: jobs
   * of several shards are read with one XREAD per shard, which may block only when there is one shard
   * (a blocking reader of many shards runs one read per shard on its own connection, as the API's event
   * hub does).
   */
  async readMany(
    cursors: ReadonlyMap<string, number>,
    options: { blockMs?: number; count?: number } = {},
  ): Promise<Map<string, JobEvent[]>> {
    const out = new Map<string, JobEvent[]>();
    const jobOf = new Map([...cursors.keys()].map((jobId) => [streamKey(jobId, this.layout), jobId]));
    const groups = groupBySlot(this.redis, [...jobOf.keys()]);
    const blockMs = options.blockMs !== undefined && options.blockMs > 0 ? options.blockMs : undefined;
    if (blockMs !== undefined && groups.length > 1)
      throw new Error('a blocking readMany must name jobs of one shard (see shardOf) on a Redis Cluster');
    const replies = await Promise.all(
      groups.map((keys) => {
        const args: (string | number)[] = ['COUNT', options.count ?? 500];
        if (blockMs !== undefined) args.push('BLOCK', blockMs);
        const after = keys.map((key) => `${cursors.get(jobOf.get(key) ?? '') ?? 0}-0`);
        return this.redis.call('XREAD', ...args, 'STREAMS', ...keys, ...after) as Promise<XReadReply>;
      }),
    );
    for (const [key, entries] of replies.flatMap((reply) => reply ?? [])) {
      const jobId = jobOf.get(key);
      if (jobId !== undefined)
        out.set(
          jobId,
          entries.map((entry) => this.parseEntry(entry)),
        );
    }
    return out;
  }

  private parseEntry([id, fields]: StreamEntry): JobEvent {
    const index = fields.indexOf('e');
    const payload = index >= 0 ? fields[index + 1] : undefined;
    if (payload === undefined) throw new Error(`stream entry ${id} has no event payload`);
    const known = this.parsed.get(payload);
    if (known) return known;
    const event = jobEventSchema.parse(JSON.parse(payload));
    if (this.parsed.size >= PARSED_KEPT) this.parsed.delete(this.parsed.keys().next().value as string);
    this.parsed.set(payload, event);
    return event;
  }
}
