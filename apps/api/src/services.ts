import { type BlobStore, blobStoreFromEnv, LocalBlobStore } from '@photomaker/blobstore';
import { JobEventLog } from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { UrlGuard } from '@photomaker/url-guard';
import type { Client } from '@temporalio/client';
import { Redis } from 'ioredis';
import { ApiKeyStore } from './auth/api-keys.ts';
import type { ApiConfig } from './config.ts';
import { EventHub } from './events/event-hub.ts';
import { UnfinishedJobWatch } from './events/unfinished-job-watch.ts';
import { RateLimit } from './guards/rate-limit.ts';
import { ImageUrls } from './http/image-urls.ts';
import { ImageIntake } from './jobs/image-intake.ts';
import { JobRecords } from './jobs/job-records.ts';
import { JobService } from './jobs/job-service.ts';
import { ReferenceImageRegistry } from './jobs/reference-images.ts';
import { type ApiMetrics, createApiMetrics } from './metrics.ts';
import { connectTemporal } from './temporal/temporal-client.ts';

/** Everything a request handler needs, built once per process. Stateless beyond connections. */
export interface ApiServices {
  config: ApiConfig;
  logger: Logger;
  keys: ApiKeyStore;
  temporal: Client;
  redis: Redis;
  blobs: BlobStore;
  guard: UrlGuard;
  registry: ReferenceImageRegistry;
  intake: ImageIntake;
  jobs: JobService;
  hub: EventHub;
  unfinished: UnfinishedJobWatch;
  imageUrls: ImageUrls;
  rateLimit: RateLimit;
  metrics: ApiMetrics;
  close(): Promise<void>;
}

export async function createServices(config: ApiConfig, logger: Logger): Promise<ApiServices> {
  const keys = new ApiKeyStore(config.apiKeysSpec);
  const metrics = createApiMetrics();
  const redis = new Redis(config.redisUrl, { connectionName: 'photomaker-api', maxRetriesPerRequest: 2 });
  // ioredis reconnects by itself; say so once per 10 s rather than on every attempt.
  let lastRedisWarning = 0;
  const onRedisError = (error: Error) => {
    if (Date.now() - lastRedisWarning < 10_000) return;
    lastRedisWarning = Date.now();
    logger.warn({ reason: error.message }, 'redis unreachable; reconnecting');
  };
  redis.on('error', onRedisError);
  const temporal = await connectTemporal({
    address: config.temporalAddress,
    namespace: config.temporalNamespace,
    env: config.payloadKeys ? { PHOTOMAKER_PAYLOAD_KEYS: config.payloadKeys } : {},
    warn: (message) => logger.warn(message),
  });
  const blobs = config.blobDir ? new LocalBlobStore(config.blobDir) : blobStoreFromEnv({});
  const guard = new UrlGuard({ allow: config.allowPrivateUrls });
  const registry = new ReferenceImageRegistry(redis);
  const intake = new ImageIntake({
    blobs,
    guard,
    registry,
    maxImageBytes: config.limits.imageBytes,
    fetchTimeoutMs: config.limits.imageFetchMs,
  });
  const events = new JobEventLog(redis);
  const jobs = new JobService({
    client: temporal,
    events,
    records: new JobRecords(redis),
    intake,
    logger,
    reconcileAfterMs: config.limits.reconcileAfterMs,
  });
  const unfinished = new UnfinishedJobWatch({
    read: (tenant, jobId) => jobs.get(tenant, jobId),
    intervalMs: Math.max(1, config.limits.subscriptionRecheckMs),
    logger,
  });
  const hub = new EventHub({
    redis,
    logger,
    onRedisError,
    onDelivered: (ageMs) => metrics.eventDelivery.observe(Math.max(0, ageMs) / 1000),
  });
  hub.start();
  return {
    config,
    logger,
    keys,
    temporal,
    redis,
    blobs,
    guard,
    registry,
    intake,
    jobs,
    hub,
    unfinished,
    imageUrls: new ImageUrls({ publicUrl: config.publicUrl, secret: config.urlSecret }),
    rateLimit: new RateLimit({
      redis,
      points: config.limits.ratePoints,
      windowSeconds: config.limits.rateWindowSeconds,
    }),
    metrics,
    async close() {
      unfinished.close();
      await hub.close();
      await guard.close();
      redis.disconnect();
      await temporal.connection.close();
    },
  };
}
