import type { BlobStore } from '@photomaker/blobstore';
import { connectRedis, JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { type PhotoMakerForm, RunwareClient } from '@photomaker/runware';
import type { UrlGuard } from '@photomaker/url-guard';
import { Agent } from 'undici';
import type { ActivityDeps, ActivitySettings } from './activities/deps.ts';
import type { WorkerMetrics } from './metrics.ts';

export interface ResourceOptions {
  redisUrl: string;
  /** Seeds of a Redis Cluster; none or empty: `redisUrl` is one node. */
  redisClusterNodes?: readonly string[];
  /** photoMakerForm: how one Runware request body is built from a job's task (default `task`). */
  runware: { baseUrl: string; apiKey: string; photoMakerForm?: PhotoMakerForm };
  blobs: BlobStore;
  settings: ActivitySettings;
  logger: Logger;
  metrics: WorkerMetrics;
  urlGuard: UrlGuard;
  /** Keep-alive sockets per origin for Runware and downloads. */
  connections?: number;
}

export interface Resources {
  deps: ActivityDeps;
  close(): Promise<void>;
}

/** One pooled connection set per worker process, shared by every activity. */
export function openResources(options: ResourceOptions): Resources {
  const connections = options.connections ?? 64;
  // Auto-pipelining: commands issued in the same tick (event appends, cache reads) share one write.
  const redis = connectRedis({
    url: options.redisUrl,
    ...(options.redisClusterNodes ? { clusterNodes: options.redisClusterNodes } : {}),
    redisOptions: { connectionName: 'photomaker-worker' },
    autoPipelining: true,
  });
  redis.on('error', (error) => options.logger.warn({ err: error }, 'redis connection error (retrying)'));
  // In-client retries off: Temporal retries activities durably (visible in history, Retry-After honoured).
  const runware = new RunwareClient({ ...options.runware, retry: false, connections });
  const downloads = new Agent({ connections, keepAliveTimeout: 30_000 });
  const deliveries = options.urlGuard.dispatcher({ connections: 32, keepAliveTimeout: 10_000 });
  const deps: ActivityDeps = {
    runware,
    redis,
    events: new JobEventLog(redis),
    blobs: options.blobs,
    downloads,
    urlGuard: options.urlGuard,
    deliveries,
    metrics: options.metrics,
    logger: options.logger,
    settings: options.settings,
  };
  return {
    deps,
    async close() {
      await Promise.allSettled([
        runware.close(),
        downloads.close(),
        deliveries.close(),
        options.urlGuard.close(),
      ]);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
