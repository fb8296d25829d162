import type { BlobStore } from '@photomaker/blobstore';
import { connectRedis, JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { type PhotoMakerForm, RunwareClient } from '@photomaker/runware';
import { socketUrlFrom } from '@photomaker/runware/socket';
import type { UrlGuard } from '@photomaker/url-guard';
import { Agent } from 'undici';
import type { ActivityDeps, ActivitySettings } from './activities/deps.ts';
import type { WorkerMetrics } from './metrics.ts';
import { RunwareSocketLink } from './runware-socket-link.ts';

export type RunwareTransport = 'rest' | 'websocket';

export interface RunwareResourceOptions {
  baseUrl: string;
  apiKey: string;
  /** How one Runware request body is built from a job's task (default `task`). */
  photoMakerForm?: PhotoMakerForm;
  /** `websocket`: image tasks of multi-image jobs go over one WebSocket session (default `rest`). */
  transport?: RunwareTransport;
  /** The WebSocket endpoint; default: `baseUrl` as ws(s):// (the emulator serves both on one port). */
  socketUrl?: string | undefined;
  /** A task on a socket down this long moves to REST (default 5 s). */
  socketDownGraceMs?: number;
  /** A socket that could not connect is tried again after this long, REST meanwhile (default 30 s). */
  socketRetryAfterMs?: number;
}

export interface ResourceOptions {
  redisUrl: string;
  /** Seeds of a Redis Cluster; none or empty: `redisUrl` is one node. */
  redisClusterNodes?: readonly string[];
  runware: RunwareResourceOptions;
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
  const { transport, socketUrl, socketDownGraceMs, socketRetryAfterMs, ...rest } = options.runware;
  const runware = new RunwareClient({ ...rest, retry: false, connections });
  const runwareSocket =
    transport === 'websocket'
      ? new RunwareSocketLink({
          socket: {
            url: socketUrl ?? socketUrlFrom(rest.baseUrl),
            apiKey: rest.apiKey,
            ...(rest.photoMakerForm ? { photoMakerForm: rest.photoMakerForm } : {}),
            reconnect: { minDelayMs: 100, maxDelayMs: 5_000 },
          },
          downGraceMs: socketDownGraceMs ?? 5_000,
          retryAfterMs: socketRetryAfterMs ?? 30_000,
          logger: options.logger,
        })
      : undefined;
  runwareSocket?.start().catch(() => undefined);
  const downloads = new Agent({ connections, keepAliveTimeout: 30_000 });
  const deliveries = options.urlGuard.dispatcher({ connections: 32, keepAliveTimeout: 10_000 });
  const deps: ActivityDeps = {
    runware,
    runwareSocket,
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
        runwareSocket?.close(),
        downloads.close(),
        deliveries.close(),
        options.urlGuard.close(),
      ]);
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
