import { JobEventLog, type KeyLayout, layoutOf, type RedisClient, shardOf } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { isTerminalStage, type JobEvent } from '@photomaker/schema';
import { ShardReader } from './shard-reader.ts';

/** Someone who wants a job's events after a seq, in order, each once. */
export interface EventSink {
  /** Events in seq order; the hub never hands a sink the same seq twice. */
  deliver(events: JobEvent[]): void;
  /** The hub failed this sink (e.g. Redis gone for good); it should error out. */
  fail(error: unknown): void;
}

interface Member {
  sink: EventSink;
  /** Highest seq this sink has been handed. */
  after: number;
  /** Live events that arrived while its catch-up read was in flight. */
  pending: JobEvent[] | undefined;
}

interface JobEntry {
  /** Highest seq the shared reader has read for this job. */
  cursor: number;
  /** Whose reader reads it (keyspace.ts `shardOf`). */
  shard: number;
  members: Set<Member>;
}

export interface EventHubOptions {
  /** A connection for commands (XRANGE, CLIENT UNBLOCK); the hub duplicates it for its blocking readers. */
  redis: RedisClient;
  logger: Logger;
  blockMs?: number;
  /** Errors of the reader connection (it reconnects by itself). */
  onRedisError?: (error: Error) => void;
  /** Called once per delivered event with its age (ms since the worker stamped it). */
  onDelivered?: (ageMs: number, sinks: number) => void;
}

/**
 * One Redis reader per API process for every subscribed job (one per shard on a Redis Cluster, see
 * ShardReader): a blocking XREAD over the jobs' streams, fanned out in memory to each job's local
 * subscribers. No per-subscriber connection and no per-subscriber polling.
 */
export class EventHub {
  private readonly commands: JobEventLog;
  private readonly options: EventHubOptions;
  private readonly layout: KeyLayout;
  private readonly onDelivered: EventHubOptions['onDelivered'];
  private readonly jobs = new Map<string, JobEntry>();
  private readonly readers = new Map<number, ShardReader>();
  private running = false;

  constructor(options: EventHubOptions) {
    this.options = options;
    this.commands = new JobEventLog(options.redis);
    this.layout = layoutOf(options.redis);
    this.onDelivered = options.onDelivered;
  }

  /** Number of jobs / subscribers this process is fanning out to. */
  get stats(): { jobs: number; subscribers: number } {
    let subscribers = 0;
    for (const job of this.jobs.values()) subscribers += job.members.size;
    return { jobs: this.jobs.size, subscribers };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const reader of this.readers.values()) reader.start();
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.all([...this.readers.values()].map((reader) => reader.close()));
  }

  /**
   * Hands `sink` every event of `jobId` with seq > `after`, in order: first what is already logged (one
   * XRANGE), then live events from the shared reader. Returns the detach function.
   */
  attach(jobId: string, after: number, sink: EventSink): () => void {
    let job = this.jobs.get(jobId);
    const isNew = !job;
    if (!job) {
      job = { cursor: after, shard: shardOf(jobId, this.layout), members: new Set() };
      this.jobs.set(jobId, job);
    }
    const member: Member = { sink, after, pending: [] };
    job.members.add(member);
    const detach = () => this.detach(jobId, member);
    if (isNew) this.readerOf(job.shard).jobsChanged();
    this.commands.range(jobId, after).then(
      (events) => {
        const pending = member.pending ?? [];
        member.pending = undefined;
        this.handTo(jobId, member, [...events, ...pending]);
      },
      (error: unknown) => {
        detach();
        sink.fail(error);
      },
    );
    return detach;
  }

  private detach(jobId: string, member: Member): void {
    const job = this.jobs.get(jobId);
    if (!job?.members.delete(member)) return;
    if (job.members.size === 0) this.jobs.delete(jobId);
  }

  private handTo(jobId: string, member: Member, events: JobEvent[]): void {
    if (member.pending) {
      member.pending.push(...events);
      return;
    }
    const fresh: JobEvent[] = [];
    for (const event of events) {
      if (event.seq <= member.after) continue;
      // Never hand out a gap: the log is gap-free, so a jump means we read past something; stop here.
      if (event.seq !== member.after + 1) break;
      fresh.push(event);
      member.after = event.seq;
    }
    if (fresh.length === 0) return;
    if (fresh.some((event) => isTerminalStage(event.stage))) this.detach(jobId, member);
    member.sink.deliver(fresh);
  }

  /** The shard's reader, started on first use. */
  private readerOf(shard: number): ShardReader {
    let reader = this.readers.get(shard);
    if (!reader) {
      reader = new ShardReader({
        redis: this.options.redis,
        layout: this.layout,
        shard,
        logger: this.options.logger,
        blockMs: this.options.blockMs ?? 5_000,
        ...(this.options.onRedisError ? { onRedisError: this.options.onRedisError } : {}),
        cursors: () => this.cursorsOf(shard),
        onEvents: (batch) => {
          for (const [jobId, events] of batch) this.fanOut(jobId, events);
        },
      });
      this.readers.set(shard, reader);
      if (this.running) reader.start();
    }
    return reader;
  }

  private cursorsOf(shard: number): Map<string, number> {
    const cursors = new Map<string, number>();
    for (const [jobId, job] of this.jobs) if (job.shard === shard) cursors.set(jobId, job.cursor);
    return cursors;
  }

  private fanOut(jobId: string, events: JobEvent[]): void {
    const job = this.jobs.get(jobId);
    const last = events.at(-1);
    if (!job || !last) return;
    job.cursor = Math.max(job.cursor, last.seq);
    const sinks = job.members.size;
    for (const member of [...job.members]) this.handTo(jobId, member, events);
    if (this.onDelivered) {
      const now = Date.now();
      for (const event of events) this.onDelivered(now - Date.parse(event.at), sinks);
    }
  }
}
