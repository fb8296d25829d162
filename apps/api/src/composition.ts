import { type BlobStore, blobStoreFrom } from '@photomaker/blobstore';
import {
  CancelRequests,
  connectRedis,
  JobEventLog,
  OutputOwners,
  type RedisClient,
  UsageRecords,
} from '@photomaker/events';
import type { Logger } from '@photomaker/observability';
import { JobEraser, withOverrides } from '@photomaker/retention';
import { RunwareClient } from '@photomaker/runware';
import { admissionWorkflowId } from '@photomaker/temporal';
import { JsonSealer, payloadKeysFromEnv } from '@photomaker/temporal/codec';
import { UrlGuard } from '@photomaker/url-guard';
import type { Client } from '@temporalio/client';
import { AddressLimits } from './auth/address-limits.ts';
import { AdmissionGate } from './auth/admission.ts';
import { LiveTenantDirectory } from './auth/tenants-reload.ts';
import type { ApiConfig } from './config.ts';
import { EventHub } from './events/event-hub.ts';
import { QueueWatch } from './events/queue-watch.ts';
import { UnfinishedJobWatch } from './events/unfinished-job-watch.ts';
import type { GraphQLDeps } from './graphql/context.ts';
import { RateLimit } from './guards/rate-limit.ts';
import { type ImageRedirect, imageRedirectFor } from './http/image-redirects.ts';
import { ImageUrls } from './http/image-urls.ts';
import { BlobCollector } from './jobs/blob-collector.ts';
import { BlobUsage } from './jobs/blob-usage.ts';
import { Erasure } from './jobs/erasure.ts';
import { EstimateJob } from './jobs/estimate-job.ts';
import { FollowJob } from './jobs/follow-job.ts';
import { ImageIntake } from './jobs/image-intake.ts';
import { JobList } from './jobs/job-list.ts';
import { JobReads } from './jobs/job-reads.ts';
import { JobRecords } from './jobs/job-records.ts';
import { JobRetention } from './jobs/job-retention.ts';
import { JobRetries, RetryJob } from './jobs/job-retries.ts';
import { JobService } from './jobs/job-service.ts';
import { admissionQuery, QueueStatuses } from './jobs/queue-statuses.ts';
import { ReferenceImageRegistry } from './jobs/reference-images.ts';
import { SubmitJob } from './jobs/submit-job.ts';
import { UsageAdmission } from './jobs/usage-admission.ts';
import { UsageLedger } from './jobs/usage-ledger.ts';
import { UsageReport } from './jobs/usage-report.ts';
import { type ApiMetrics, createApiMetrics } from './metrics.ts';
import { RunwarePricer } from './pricing/runware-pricer.ts';
import { connectTemporal } from './temporal/temporal-client.ts';

/**
 * The composition root's result: every piece of one API process, built once. Only server.ts (which hands
 * each transport the few pieces it uses) and tests read it; no handler receives it whole.
 */
export interface ApiParts {
  /** Key -> tenant and its limits; reloaded on a change of the tenants file or `reloadTenants()`. */
  tenants: LiveTenantDirectory;
  admission: AdmissionGate;
  temporal: Client;
  redis: RedisClient;
  blobs: BlobStore;
  intake: ImageIntake;
  records: JobRecords;
  blobCollector: BlobCollector;
  reads: JobReads;
  /** deleteJob / deleteReferenceImage (the same eraser as the worker's retention sweep). */
  erasure: Erasure;
  jobs: JobService;
  list: JobList;
  /** The `usage` query over the usage records the worker writes. */
  usageReport: UsageReport;
  retry: RetryJob;
  retries: JobRetries;
  submit: SubmitJob;
  /** Validation and price of a job without starting it (GraphQL estimatePhotoMaker, /v1 dry run). */
  estimate: EstimateJob;
  follow: FollowJob;
  /** Queued jobs' place in the admission queue and their estimates (batched, briefly cached). */
  queue: QueueStatuses;
  hub: EventHub;
  imageUrls: ImageUrls;
  /** Presigned mode: where GET /images redirects to (image-redirects.ts); undefined: the API streams. */
  imageRedirect: ImageRedirect | undefined;
  metrics: ApiMetrics;
  close(): Promise<void>;
}

function connectApiRedis(config: ApiConfig, logger: Logger) {
  const redis = connectRedis({
    url: config.redisUrl,
    clusterNodes: config.redisClusterNodes,
    redisOptions: { connectionName: 'photomaker-api', maxRetriesPerRequest: 2 },
    // Commands issued in one tick share one write (a read's record GET and stream XRANGE, a start's
    // writes): fewer syscalls and round trips per job (tools/bench/README.md "Leads (issue #18)").
    autoPipelining: true,
  });
  // ioredis reconnects by itself; say so once per 10 s rather than on every attempt.
  let lastRedisWarning = 0;
  const onRedisError = (error: Error) => {
    if (Date.now() - lastRedisWarning < 10_000) return;
    lastRedisWarning = Date.now();
    logger.warn({ reason: error.message }, 'redis unreachable; reconnecting');
  };
  redis.on('error', onRedisError);
  return { redis, onRedisError };
}

export async function composeApi(
  config: ApiConfig,
  logger: Logger,
  options: { tracing?: boolean } = {},
): Promise<ApiParts> {
  const metrics = createApiMetrics();
  const tenants = new LiveTenantDirectory({
    sources: config.tenants,
    logger,
    onReload: (outcome) => metrics.tenantReloads.inc({ outcome }),
  });
  tenants.watch();
  const { redis, onRedisError } = connectApiRedis(config, logger);
  const temporal = await connectTemporal({
    connection: config.temporal,
    env: config.payloadKeys ? { PHOTOMAKER_PAYLOAD_KEYS: config.payloadKeys } : {},
    warn: (message) => logger.warn(message),
    tracing: options.tracing ?? false,
  });
  const blobs = blobStoreFrom(config.blobStore);
  const imageRedirect = imageRedirectFor(config.imageUrlMode, blobs);
  const guard = new UrlGuard({ allow: config.allowPrivateUrls });
  const owners = new OutputOwners(redis);
  const usage = new BlobUsage(redis, { quotaBytes: config.images.tenantQuotaBytes });
  const registry = new ReferenceImageRegistry(redis);
  const eraser = new JobEraser({ redis, blobs, temporal });
  // The env's retention for every tenant (a tenants file's `retention` per tenant wins, see tenants-file.ts).
  const retention = new JobRetention({
    holds: eraser.holds,
    due: eraser.due,
    policyFor: (tenant) => withOverrides(config.retention, tenants.current.tenant(tenant)?.retention),
    logger,
  });
  const blobCollector = new BlobCollector({
    redis,
    store: blobs,
    usage,
    references: registry,
    graceMs: config.images.gcGraceMs,
    intervalMs: config.images.gcIntervalMs,
    logger,
  });
  blobCollector.start();
  const intake = new ImageIntake({
    blobs,
    guard,
    registry,
    owners,
    usage,
    retention,
    inputLifetimeMs: config.images.gcGraceMs,
    maxImageBytes: config.limits.imageBytes,
    maxImagePixels: config.images.maxPixels,
    fetchTimeoutMs: config.limits.imageFetchMs,
  });
  // The keys the Temporal client encrypts with (the development key when unset: connectTemporal warns).
  const sealer = new JsonSealer(
    payloadKeysFromEnv(config.payloadKeys ? { PHOTOMAKER_PAYLOAD_KEYS: config.payloadKeys } : {}),
  );
  const records = new JobRecords(redis, { sealer });
  const reads = new JobReads({
    client: temporal,
    events: new JobEventLog(redis),
    records,
    logger,
    reconcileAfterMs: config.limits.reconcileAfterMs,
  });
  const read = (tenant: string, jobId: string) => reads.get(tenant, jobId);
  const cancels = new CancelRequests(redis);
  const jobs = new JobService({
    client: temporal,
    reads,
    records,
    logger,
    owners,
    cancels,
    retention,
    taskQueue: config.taskQueue,
  });
  const ledger = new UsageLedger({
    redis,
    maxInFlight: config.usage.maxInFlight,
    slotTtlMs: config.usage.slotTtlMs,
  });
  const unfinished = new UnfinishedJobWatch({
    read,
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
  // The admission workflow of the queue the jobs start on (admissionWorkflowId): the worker's.
  const queue = new QueueStatuses({
    source: admissionQuery(temporal, admissionWorkflowId(config.taskQueue)),
    logger,
  });
  const queueWatch = new QueueWatch({ statuses: queue, logger });
  const follow = new FollowJob({ read, hub, unfinished, queue: queueWatch });
  // Prices only (dry runs): a small pool, quick timeouts; the worker does the submitting.
  const pricingClient = config.runwarePricing
    ? new RunwareClient({ ...config.runwarePricing, connections: 4, requestTimeoutMs: 10_000 })
    : undefined;
  const estimate = new EstimateJob({
    intake,
    guard,
    pricer: pricingClient ? new RunwarePricer(pricingClient, logger) : undefined,
    logger,
  });
  const rateLimit = new RateLimit({
    redis,
    points: config.limits.ratePoints,
    windowSeconds: config.limits.rateWindowSeconds,
  });
  const submit = new SubmitJob({
    jobs,
    reads,
    intake,
    guard,
    follow,
    metrics,
    usage: new UsageAdmission({
      ledger,
      reads,
      follow,
      slotTtlMs: config.usage.slotTtlMs,
      logger,
    }),
    syncWaitMs: config.limits.syncWaitMs,
    maxInFlight: config.usage.maxInFlight,
  });
  const retries = new JobRetries(redis);
  return {
    tenants,
    admission: new AdmissionGate({
      keys: tenants,
      addresses: new AddressLimits({
        anonymousPoints: config.edge.anonymousPoints,
        freeFailures: config.edge.freeAuthFailures,
        windowSeconds: config.edge.addressWindowSeconds,
      }),
      limiter: rateLimit,
      onRateLimited: () => metrics.rateLimited.inc(),
      logger,
    }),
    temporal,
    redis,
    blobs,
    intake,
    records,
    blobCollector,
    reads,
    erasure: new Erasure({ client: temporal, reads, registry, eraser, logger, jobs, ledger }),
    jobs,
    list: new JobList({ client: temporal, read }),
    usageReport: new UsageReport(new UsageRecords(redis)),
    submit,
    retry: new RetryJob({ reads, submit, retries }),
    retries,
    estimate,
    follow,
    queue,
    hub,
    imageUrls: new ImageUrls({ publicUrl: config.publicUrl, secret: config.urlSecret }),
    imageRedirect,
    metrics,
    async close() {
      tenants.close();
      unfinished.close();
      queueWatch.close();
      await blobCollector.close();
      await hub.close();
      await guard.close();
      await pricingClient?.close();
      redis.disconnect();
      await temporal.connection.close();
    },
  };
}

/** The resolvers' narrow view of the process (see GraphQLDeps). */
export function graphqlDeps(parts: ApiParts, config: ApiConfig): GraphQLDeps {
  return {
    submit: parts.submit,
    estimate: parts.estimate,
    follow: parts.follow,
    reads: parts.reads,
    queue: parts.queue,
    list: parts.list,
    jobs: parts.jobs,
    uploads: parts.intake,
    erasure: parts.erasure,
    imageUrls: parts.imageUrls,
    subscriptions: parts.metrics.subscriptions,
    webhookSecrets: config.webhookSecrets,
    pageSize: config.limits.pageSize,
    usage: parts.usageReport,
    retry: parts.retry,
    retries: parts.retries,
  };
}
