import { createServer } from 'node:net';
import { blobStoreFromEnv } from '@photomaker/blobstore';
import { faceModels } from '@photomaker/likeness';
import { createLogger, createMetricsRegistry } from '@photomaker/observability';
import { startTracing } from '@photomaker/observability/tracing';
import { JobEraser } from '@photomaker/retention';
import {
  AesGcmPayloadCodec,
  createCodecHandler,
  createDataConverter,
  DEV_KEY_WARNING,
  payloadKeysFromEnv,
} from '@photomaker/temporal/codec';
import { UrlGuard } from '@photomaker/url-guard';
import { Client, Connection } from '@temporalio/client';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import { createActivities } from './activities/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startHttpServer } from './http-server.ts';
import { createWorkerMetrics } from './metrics.ts';
import { openResources } from './resources.ts';
import { createRetentionActivities } from './retention/retention-activities.ts';
import { createRetentionMetrics } from './retention/retention-metrics.ts';
import { ensureRetentionSchedule } from './retention/retention-schedule.ts';
import { connectWorkerTemporal, TemporalStartError } from './temporal-connection.ts';
import { TemporalPinoLogger } from './temporal-logger.ts';
import { PhotoMakerWorkers, WORKFLOWS_PATH } from './worker.ts';
import { chooseWorkflowSource } from './workflow-bundle.ts';

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}

const logger = createLogger({ service: 'worker', level: config.logLevel });
// Before any span: the env schema already checked the OTEL_* variables.
const tracing = startTracing({ service: 'worker' });
if (tracing.enabled) logger.info({ endpoint: tracing.endpoint }, 'tracing on: exporting spans over OTLP');
for (const warning of config.warnings) logger.warn(warning);
const keys = payloadKeysFromEnv(process.env);
if (keys.dev) logger.warn(DEV_KEY_WARNING);

const coreMetricsPort = config.coreMetricsPort || (await freePort(config.http.host));
Runtime.install({
  logger: new TemporalPinoLogger(logger.child({ component: 'temporal' })),
  telemetryOptions: {
    logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
    metrics: { prometheus: { bindAddress: `${config.http.host}:${coreMetricsPort}` } },
  },
  // Signals are ours: shut down with the grace time and log what happens.
  shutdownSignals: [],
});

const registry = createMetricsRegistry('worker');
const metrics = createWorkerMetrics(registry);
const resources = openResources({
  redisUrl: config.redisUrl,
  redisClusterNodes: config.redisClusterNodes,
  runware: config.runware,
  blobs: blobStoreFromEnv(process.env),
  settings: {
    publicUrl: config.publicUrl,
    urlSecret: config.urlSecret,
    imageUrlTtlSeconds: config.imageUrlTtlSeconds,
    webhookSecrets: config.webhookSecrets,
    syncMaxResults: config.syncMaxResults,
    tasksInFlightPerJob: config.tasksInFlightPerJob,
    cancelDrainMs: config.cancelDrainMs,
    includeCost: config.includeCost,
    admissionUpdate: config.admissionUpdate,
    poll: config.poll,
    referenceCacheTtlSeconds: config.referenceCacheTtlSeconds,
    maxImageBytes: 64 * 1024 * 1024,
  },
  logger: logger.child({ component: 'activity' }),
  metrics,
  urlGuard: UrlGuard.fromEnv(process.env),
});

const connection = await connectWorkerTemporal(config.temporal).catch(async (error: unknown) => {
  if (!(error instanceof TemporalStartError)) throw error;
  // Before any worker exists: nothing to drain, so say why and exit non-zero.
  logger.fatal(error.message);
  await resources.close();
  process.exit(1);
});
logger.info(
  { address: config.temporal.address, security: config.temporal.security },
  'connected to Temporal',
);
// A client for the retention schedule and sweep (deleting executions, reading a job's start input).
const client = new Client({
  connection: await Connection.connect(config.temporal.options),
  namespace: config.temporal.namespace,
  dataConverter: createDataConverter(keys),
});
const retentionActivities = createRetentionActivities({
  eraser: new JobEraser({ redis: resources.deps.redis, blobs: resources.deps.blobs, temporal: client }),
  temporal: client,
  events: resources.deps.events,
  metrics: createRetentionMetrics(registry),
  logger: logger.child({ component: 'retention' }),
});
// Not fatal: jobs still run without it (a namespace that refuses schedules), and the error says why.
await ensureRetentionSchedule(client, {
  taskQueue: config.temporal.taskQueue,
  everyMs: config.retention.everyMs,
  input: { limit: config.retention.limit },
})
  .then((schedule) =>
    logger.info({ schedule, everyMs: config.retention.everyMs }, 'retention schedule in place'),
  )
  .catch((error: unknown) =>
    logger.error({ reason: (error as Error).message }, 'retention schedule not created: nothing expires'),
  );
// RUNWARE_TRANSPORT=websocket: the first jobs use the socket (REST if it cannot connect, within ~2 s).
if (resources.deps.runwareSocket) {
  await resources.deps.runwareSocket.start();
  logger.info(
    { open: resources.deps.runwareSocket.ready() !== undefined },
    'Runware WebSocket session started',
  );
}
const bundle = chooseWorkflowSource(config.workflowBundle, WORKFLOWS_PATH);
logger.info({ workflows: bundle.reason }, 'loading workflow code');
const workers = await PhotoMakerWorkers.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  dataConverter: createDataConverter(keys),
  activities: createActivities(resources.deps),
  retentionActivities,
  metrics,
  workflows: bundle.source,
  tuning: config.tuning,
  tracing,
});

if (config.tuning.visionActivities > 0) {
  // Ahead of the first reference check (~1 s, ~220 MB): a job does not wait for the models to load.
  const t0 = performance.now();
  faceModels().then(
    () => logger.info({ ms: Math.round(performance.now() - t0) }, 'face models loaded'),
    (error: unknown) => logger.error({ err: error }, 'face models failed to load'),
  );
}

const http = await startHttpServer({
  host: config.http.host,
  port: config.http.port,
  registry,
  metricsToken: config.metricsToken,
  coreMetricsUrl: `http://${config.http.host}:${coreMetricsPort}/metrics`,
  health: () => ({ ok: workers.running, details: { workers: workers.states() } }),
  codec: createCodecHandler({
    codec: new AesGcmPayloadCodec(keys),
    ...(config.codec.corsOrigins ? { allowedOrigins: config.codec.corsOrigins } : {}),
    token: config.codec.token,
    offHint: 'set WORKER_CODEC_TOKEN to use it',
  }),
});

let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) {
    logger.warn({ signal }, 'second signal: exiting without waiting for in-flight activities');
    process.exit(1);
  }
  stopping = true;
  logger.info(
    { signal, graceMs: config.tuning.shutdownGraceMs },
    'shutting down: no new tasks; in-flight activities may finish within the grace time',
  );
  workers.shutdown();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const running = workers.run();
if (await waitUntil(() => workers.running || stopping, 30_000)) {
  logger.info(
    { url: http.url, taskQueues: workers.taskQueues, namespace: config.temporal.namespace, coreMetricsPort },
    `worker ready: listening on ${http.url} (/metrics, /healthz, /codec); task queues ${Object.values(workers.taskQueues).join(', ')}`,
  );
}

let exitCode = 0;
try {
  await running;
  logger.info('workers stopped');
} catch (error) {
  exitCode = 1;
  logger.error({ err: error }, 'worker failed');
} finally {
  await http.close();
  await resources.close();
  await client.connection.close();
  await connection.close();
  await tracing.shutdown();
}
process.exit(exitCode);
