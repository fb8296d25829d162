import { JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { isTerminalStage, type JobEvent } from '@photomaker/schema';
import type { Redis } from 'ioredis';

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
  members: Set<Member>;
}

export interface EventHubOptions {
  /** A connection for commands (XRANGE, CLIENT UNBLOCK); the hub duplicates it for its blocking reader. */
  redis: Redis;
  logger: Logger;
  blockMs?: number;
  /** Errors of the reader connection (it reconnects by itself). */
  onRedisError?: (error: Error) => void;
  /** Called once per delivered event with its age (ms since the worker stamped it). */
  onDelivered?: (ageMs: number, sinks: number) => void;
}

/**
 * One Redis reader per API process for every subscribed job: a single blocking XREAD over all jobs'
 * streams, fanned out in memory to each job's local subscribers. No per-subscriber connection and no
 * per-subscriber polling. When the set of jobs changes, the blocked XREAD is interrupted with
 * CLIENT UNBLOCK so a new job's events are read at once rather than after the block timeout.
 */
export class EventHub {
  private readonly commands: JobEventLog;
  private readonly reader: Redis;
  private readonly readerLog: JobEventLog;
  private readonly redis: Redis;
  private readonly logger: Logger;
  private readonly blockMs: number;
  private readonly onDelivered: EventHubOptions['onDelivered'];
  private readonly jobs = new Map<string, JobEntry>();
  private readerId: number | undefined;
  private blocked = false;
  /** The job set changed since the reader last built its XREAD. */
  private dirty = false;
  private unblockTimer: NodeJS.Timeout | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(options: EventHubOptions) {
    this.redis = options.redis;
    this.commands = new JobEventLog(options.redis);
    this.reader = options.redis.duplicate({ connectionName: 'photomaker-api-event-reader' });
    this.readerLog = new JobEventLog(this.reader);
    this.reader.on('error', options.onRedisError ?? (() => undefined));
    this.logger = options.logger;
    this.blockMs = options.blockMs ?? 5_000;
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
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.running = false;
    if (this.unblockTimer) clearTimeout(this.unblockTimer);
    this.wake?.();
    // Disconnecting the reader ends its blocking XREAD; no need to wait for an UNBLOCK round trip.
    this.reader.disconnect();
    // A command stuck on an unreachable Redis must not hold shutdown.
    await Promise.race([
      this.loop?.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]);
  }

  /**
   * Hands `sink` every event of `jobId` with seq > `after`, in order: first what is already logged (one
   * XRANGE), then live events from the shared reader. Returns the detach function.
   */
  attach(jobId: string, after: number, sink: EventSink): () => void {
    let job = this.jobs.get(jobId);
    const isNew = !job;
    if (!job) {
      job = { cursor: after, members: new Set() };
      this.jobs.set(jobId, job);
    }
    const member: Member = { sink, after, pending: [] };
    job.members.add(member);
    const detach = () => this.detach(jobId, member);
    if (isNew) this.jobsChanged();
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

  private jobsChanged(): void {
    this.dirty = true;
    this.wake?.();
    if (this.unblockTimer) return;
    // Interrupt the blocked XREAD so it is re-issued with the new job. Retried until the reader has
    // picked the change up: an UNBLOCK that reaches Redis before the XREAD blocks would be a no-op.
    const attempt = () => {
      this.unblockTimer = undefined;
      if (!this.dirty || !this.running) return;
      if (this.blocked)
        this.unblock().catch((error: unknown) => this.logger.warn({ err: error }, 'CLIENT UNBLOCK failed'));
      this.unblockTimer = setTimeout(attempt, 25);
    };
    this.unblockTimer = setTimeout(attempt, 0);
  }

  private async unblock(): Promise<void> {
    if (this.readerId === undefined) return;
    await this.redis.call('CLIENT', 'UNBLOCK', String(this.readerId));
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (this.jobs.size === 0) await this.pause();
        else await this.readOnce();
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        failures++;
        await this.recover(error as Error, failures);
      }
    }
  }

  /** One blocking XREAD over every followed job's stream, fanned out to their subscribers. */
  private async readOnce(): Promise<void> {
    if (this.readerId === undefined) this.readerId = Number(await this.reader.call('CLIENT', 'ID'));
    this.dirty = false;
    const cursors = new Map<string, number>();
    for (const [jobId, job] of this.jobs) cursors.set(jobId, job.cursor);
    this.blocked = true;
    let batch: Map<string, JobEvent[]>;
    try {
      batch = await this.readerLog.readMany(cursors, { blockMs: this.blockMs, count: 200 });
    } finally {
      this.blocked = false;
    }
    for (const [jobId, events] of batch) this.fanOut(jobId, events);
  }

  private async recover(error: Error, failures: number): Promise<void> {
    // The reader connection may have been replaced: ask for its id again.
    this.readerId = undefined;
    if (failures === 1 || failures % 20 === 0)
      this.logger.warn({ reason: error.message, failures }, 'event reader failed; retrying');
    await this.pause(Math.min(5_000, 100 * 2 ** failures));
  }

  /** Sleeps until woken (a new job, close) or, with `ms`, at most that long. */
  private async pause(ms?: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
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
