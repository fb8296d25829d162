import {
  addressOfSlot,
  connectionTo,
  dedicatedConnection,
  JobEventLog,
  type KeyLayout,
  type RedisClient,
  shardSlot,
} from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import type { JobEvent } from '@photomaker/schema';
import type { Redis } from 'ioredis';

export interface ShardReaderOptions {
  /** The hub's command connection: where the shard's node is looked up and CLIENT UNBLOCK goes through. */
  redis: RedisClient;
  layout: KeyLayout;
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

interface ReaderConnection {
  redis: Redis;
  log: JobEventLog;
  /** `host:port` of its node (`single` on one node). */
  address: string;
  /** Its CLIENT ID there, once asked. */
  id: number | undefined;
}

const MOVED = /MOVED \d+ (\S+)/;

/**
 * One blocking XREAD loop over the followed jobs of one shard, on a connection of its own. On one Redis
 * node there is one shard, so one reader serves every job. In a cluster an XREAD may name streams of one
 * slot only, and each shard is one slot (keyspace.ts): the hub runs a reader per shard (at most
 * EVENT_SHARDS), each on one connection to the master of its slot, found again after a failover.
 * When the job set changes, the blocked XREAD is interrupted with CLIENT UNBLOCK on that node, so a new
 * job's events are read at once rather than after the block timeout.
 */
export class ShardReader {
  private readonly options: ShardReaderOptions;
  private readonly slot: number;
  private connection: ReaderConnection | undefined;
  /** Where a MOVED reply said the slot went (a failover), tried before asking the cluster client. */
  private movedTo: string | undefined;
  private blocked = false;
  /** The job set changed since the reader last built its XREAD. */
  private dirty = false;
  private unblockTimer: NodeJS.Timeout | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(options: ShardReaderOptions) {
    this.options = options;
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
    this.connection?.redis.disconnect();
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
    const connection = this.connection;
    if (connection?.id === undefined) return;
    const node = connectionTo(this.options.redis, connection.address);
    await node?.call('CLIENT', 'UNBLOCK', String(connection.id));
  }

  /** The reader connection, opened to the node serving the shard now, with its CLIENT ID. */
  private async connect(): Promise<ReaderConnection> {
    if (!this.connection) {
      let address = this.movedTo ?? addressOfSlot(this.options.redis, this.slot);
      if (address === undefined) {
        // A cluster client learns the slots when it connects: a PING waits for that.
        await this.options.redis.ping();
        address = addressOfSlot(this.options.redis, this.slot);
      }
      if (address === undefined) throw new Error(`no Redis node serves slot ${this.slot}`);
      const redis = dedicatedConnection(this.options.redis, 'photomaker-api-event-reader', address);
      redis.on('error', this.options.onRedisError ?? (() => undefined));
      const log = new JobEventLog(redis, { layout: this.options.layout });
      this.connection = { redis, log, address, id: undefined };
    }
    this.connection.id ??= Number(await this.connection.redis.call('CLIENT', 'ID'));
    return this.connection;
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
    const connection = await this.connect();
    this.dirty = false;
    // Built after connect(): a job attached meanwhile is in this read.
    const cursors = this.options.cursors();
    if (cursors.size === 0) return;
    this.blocked = true;
    let batch: Map<string, JobEvent[]>;
    try {
      batch = await connection.log.readMany(cursors, { blockMs: this.options.blockMs, count: 200 });
    } finally {
      this.blocked = false;
    }
    this.options.onEvents(batch);
  }

  private async recover(error: Error, failures: number): Promise<void> {
    if (this.options.layout === 'cluster') {
      // The node failed or gave the slot away: connect again where the slot is now.
      this.movedTo = MOVED.exec(error.message)?.[1];
      this.connection?.redis.disconnect();
      this.connection = undefined;
      if (!this.movedTo && 'refreshSlotsCache' in this.options.redis) this.options.redis.refreshSlotsCache();
    } else if (this.connection) {
      // ioredis reconnects the one node's connection by itself: its id changes.
      this.connection.id = undefined;
    }
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
