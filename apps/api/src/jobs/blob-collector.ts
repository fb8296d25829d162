import { randomUUID } from 'node:crypto';
import { type CollectableBlobStore, type CollectReport, collectGarbage } from '@photomaker/blobstore';
import type { RedisClient } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import type { BlobUsage } from './blob-usage.ts';
import type { ReferenceImageRegistry } from './reference-images.ts';

export const GC_LOCK_KEY = 'photomaker:blobs:gc:lock';

export interface BlobCollectorOptions {
  redis: RedisClient;
  store: CollectableBlobStore;
  usage: Pick<BlobUsage, 'inUse' | 'pruneLapsed'>;
  /** Reference images keep their blobs for as long as they exist, counted or not. */
  references: Pick<ReferenceImageRegistry, 'referencedBlobs'>;
  /** A blob last stored less than this long ago is kept (longer than a job and its signed URLs live). */
  graceMs: number;
  /** How often a collection runs across all replicas; 0: never. */
  intervalMs: number;
  logger: Logger;
}

/**
 * Runs blob garbage collection periodically. With several API replicas, a Redis lock held for one interval
 * lets one of them run per interval; two overlapping runs would still be safe (deletes are conditional).
 */
export class BlobCollector {
  private readonly options: BlobCollectorOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(options: BlobCollectorOptions) {
    this.options = options;
  }

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.runOnce()
        .catch((error: unknown) =>
          this.options.logger.warn({ reason: (error as Error).message }, 'blob collection failed'),
        )
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One collection, unless another replica ran one this interval (then undefined). */
  async runOnce(): Promise<CollectReport | undefined> {
    const { redis, usage, store, graceMs, intervalMs, logger } = this.options;
    const lock = await redis.set(GC_LOCK_KEY, randomUUID(), 'PX', Math.max(intervalMs, 60_000), 'NX');
    if (lock === null) return undefined;
    await usage.pruneLapsed();
    const references = await this.options.references.referencedBlobs();
    const referenced = async (shas: readonly string[]) => {
      const inUse = await usage.inUse(shas);
      for (const sha of shas) if (references.has(sha)) inUse.add(sha);
      return inUse;
    };
    const report = await collectGarbage(store, { graceMs, referenced });
    if (report.deleted > 0) logger.info(report, 'unreferenced blobs collected');
    return report;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
