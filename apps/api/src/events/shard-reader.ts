import {
  connectionForSlot,
  connectionTo,
  duplicateClient,
  JobEventLog,
  type RedisClient,
  shardSlot,
} from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import type { JobEvent } from '@photomaker/schema';

export interface ShardReaderOptions {
  /** The hub's command connection: CLIENT UNBLOCK goes through it. */
  redis: RedisClient;
  /** The shard whose jobs this reader follows (see `shardOf`; always 0 on one Redis node). */
  shard: number;
  logger: Logger;
  blockMs: number;
  onRedisError?: (error: Error) => void;
  /** The followed jobs of this shard and the seq each was read up to. */
  cursors(): Map<string, number>;
  /** What one read brought, by job. */
  onEvents(batch: Map<string, JobEvent[]>): void;
}

/**
 * One blocking XREAD loop over the followed jobs of one shard, on a connection of its own. On one Redis
 * node there is one shard, so one reader serves every job. In a cluster an XREAD may name streams of one
 * slot only, and each shard is one slot (keyspace.ts): the hub runs a reader per shard, at most
 * EVENT_SHARDS. When the job set changes, the blocked XREAD is interrupted with CLIENT UNBLOCK, sent to
 * the node the read is blocked on, so a new job's events are read at once rather than after the block.
 */
export class ShardReader {
  private readonly options: ShardReaderOptions;
  private readonly reader: RedisClient;
  private readonly log: JobEventLog;
  private readonly slot: number;
  /** The reader connection's CLIENT ID, and on which node (a failover moves the shard). */
  private readerId: { id: number; address: string } | undefined;
  private blocked = false;
  /** The job set changed since the reader last built its XREAD. */
  private dirty = false;
  private unblockTimer: NodeJS.Timeout | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(options: ShardReaderOptions) {
    this.options = options;
    this.reader = duplicateClient(options.redis, 'photomaker-api-event-reader');
    this.reader.on('error', options.onRedisError ?? (() => undefined));
    this.log = new JobEventLog(this.reader);
    this.slot = shardSlot(options.shard);
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

  /** A job of this shard was added: re-issue the XREAD with it. */
  jobsChanged(): void {
    this.dirty = true;
    this.wake?.();
    if (this.unblockTimer) return;
    // Interrupt the blocked XREAD so it is re-issued with the new job. Retried until the reader has
    // picked the change up: an UNBLOCK that reaches Redis before the XREAD blocks would be a no-op.
    const attempt = () => {
      this.unblockTimer = undefined;
      if (!this.dirty || !this.running) return;
      if (this.blocked)
        this.unblock().catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'CLIENT UNBLOCK failed'),
        );
      this.unblockTimer = setTimeout(attempt, 25);
    };
    this.unblockTimer = setTimeout(attempt, 0);
  }

  private async unblock(): Promise<void> {
    if (this.readerId === undefined) return;
    const node = connectionTo(this.options.redis, this.readerId.address);
    await node?.call('CLIENT', 'UNBLOCK', String(this.readerId.id));
  }

  /** Learns the reader's CLIENT ID on the node that serves this shard now (once per node). */
  private async identify(): Promise<void> {
    let target = connectionForSlot(this.reader, this.slot);
    if (!target) {
      // A cluster client learns the slots when it connects: a PING waits for that.
      await this.reader.ping();
      target = connectionForSlot(this.reader, this.slot);
    }
    if (!target || this.readerId?.address === target.address) return;
    this.readerId = { id: Number(await target.node.call('CLIENT', 'ID')), address: target.address };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (this.options.cursors().size === 0) await this.pause();
        else await this.readOnce();
        failures = 0;
      } catch (error) {
        if (!this.running) break;
        failures++;
        await this.recover(error as Error, failures);
      }
    }
  }

  /** One blocking XREAD over the shard's followed jobs. */
  private async readOnce(): Promise<void> {
    await this.identify();
    this.dirty = false;
    // Built after identify(): a job attached meanwhile is in this read.
    const cursors = this.options.cursors();
    if (cursors.size === 0) return;
    this.blocked = true;
    let batch: Map<string, JobEvent[]>;
    try {
      batch = await this.log.readMany(cursors, { blockMs: this.options.blockMs, count: 200 });
    } finally {
      this.blocked = false;
    }
    this.options.onEvents(batch);
  }

  private async recover(error: Error, failures: number): Promise<void> {
    // The reader connection may have been replaced, or the shard moved to another node: ask again.
    this.readerId = undefined;
    if (failures === 1 || failures % 20 === 0)
      this.options.logger.warn(
        { reason: error.message, failures, shard: this.options.shard },
        'event reader failed; retrying',
      );
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
}
