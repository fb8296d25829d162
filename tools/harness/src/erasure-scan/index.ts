import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Cluster, Redis } from 'ioredis';
import type { Needle } from './needles.ts';
import { type AreaScan, type BlobSource, scanBlobs, scanLogs } from './scan-blobs.ts';
import { scanRedis } from './scan-redis.ts';
import { scanTemporal, type TemporalScan } from './scan-temporal.ts';

export { findNeedles, type Needle, needlesOf } from './needles.ts';
export type { AreaScan, BlobSource } from './scan-blobs.ts';
export type { TemporalScan } from './scan-temporal.ts';

export interface ErasureScanTargets {
  blobs: BlobSource;
  redis: Redis | Cluster;
  /** Absent: Temporal is not part of this scan (a test of the blob store and Redis alone). */
  temporal?: { client: Client; codec: PayloadCodec; workflowIds?: readonly string[] };
  logFiles: readonly string[];
}

export interface ErasureScanReport {
  blobs: AreaScan;
  redis: AreaScan;
  temporal: TemporalScan;
  logs: AreaScan;
  /** Every place a needle was found; an erasure is proven when this is empty. */
  hits: string[];
}

/**
 * Looks for the needles (an image's bytes and digests, needles.ts) everywhere the platform keeps data:
 * every blob file or object, every Redis key of every type, every Temporal execution's visibility record
 * and history (payloads decoded with the codec), every log line. Counts say how much was read.
 */
export async function scanForErasure(
  targets: ErasureScanTargets,
  needles: readonly Needle[],
): Promise<ErasureScanReport> {
  const blobs = await scanBlobs(targets.blobs, needles);
  const redis = await scanRedis(targets.redis, needles);
  const temporal = targets.temporal
    ? await scanTemporal(targets.temporal.client, targets.temporal.codec, needles, {
        ...(targets.temporal.workflowIds ? { workflowIds: targets.temporal.workflowIds } : {}),
      })
    : { scanned: 0, hits: [], workflows: 0, events: 0, payloads: 0 };
  const logs = await scanLogs(targets.logFiles, needles);
  return { blobs, redis, temporal, logs, hits: [blobs, redis, temporal, logs].flatMap((area) => area.hits) };
}

/** One line for a test log or a report: what was read, and how many hits. */
export function describeScan(report: ErasureScanReport): string {
  return (
    `scanned ${report.blobs.scanned} blob files/objects, ${report.redis.scanned} Redis keys, ` +
    `${report.temporal.workflows} Temporal executions (${report.temporal.events} history events, ` +
    `${report.temporal.payloads} payloads decoded), ${report.logs.scanned} log lines: ${report.hits.length} hits`
  );
}
