import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type BlobStore, LocalBlobStore } from '@photomaker/blobstore';
import { JobEventLog } from '@photomaker/events';
import { createLogger, createMetricsRegistry } from '@photomaker/observability';
import type { PhotoMakerForm } from '@photomaker/runware';
import { DEV_API_KEY, EmulatorAdmin, type InspectedTask } from '@photomaker/runware-emulator/admin';
import {
  applyTriggerWord,
  type BlobRef,
  type JobEvent,
  type JobState,
  type JobTask,
  jobTaskSchema,
} from '@photomaker/schema';
import {
  jobStateQuery,
  type PhotoMakerJobInput,
  SEARCH_ATTRIBUTES,
  WORKFLOW_TYPE,
  workflowIdForJob,
} from '@photomaker/temporal';
import { createDataConverter, type PayloadKeyRing, parsePayloadKeys } from '@photomaker/temporal/codec';
import { UrlGuard } from '@photomaker/url-guard';
import { TenantWebhookSecrets } from '@photomaker/webhooks';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { makeTelemetryFilterString, NativeConnection, Runtime } from '@temporalio/worker';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { inject } from 'vitest';
import type { ActivityDeps, ActivitySettings } from '../../src/activities/deps.ts';
import { createActivities } from '../../src/activities/index.ts';
import { imageTaskUUID, MAX_IMAGE_FOLLOW_UPS } from '../../src/activities/per-image-tasks.ts';
import { createWorkerMetrics, type WorkerMetrics } from '../../src/metrics.ts';
import { openResources, type RunwareResourceOptions } from '../../src/resources.ts';
import { TemporalPinoLogger } from '../../src/temporal-logger.ts';
import { PhotoMakerWorkers, type WorkerTuning } from '../../src/worker.ts';

try {
  // Quiet SDK logs in tests (warnings still show); one Runtime per process.
  Runtime.install({
    logger: new TemporalPinoLogger(createLogger({ service: 'worker-test', level: 'error' })),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
} catch {
  // already installed by an earlier import in this process
}

export const RUNWARE_KEY = DEV_API_KEY;
export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
/** Tenants' webhook secrets, derived from WEBHOOK_SECRET as the worker derives them. */
export const WEBHOOK_SECRETS = new TenantWebhookSecrets({ master: WEBHOOK_SECRET });
export const URL_SECRET = 'test-url-secret-0123456789abcdef';
export const PUBLIC_URL = 'http://127.0.0.1:4999';
/** A public key for tests only. */
export const TEST_PAYLOAD_KEYS = `test:${Buffer.alloc(32, 7).toString('base64')}`;

const TEST_SETTINGS: ActivitySettings = {
  publicUrl: PUBLIC_URL,
  urlSecret: URL_SECRET,
  imageUrlTtlSeconds: 3600,
  webhookSecrets: WEBHOOK_SECRETS,
  syncMaxResults: 1,
  tasksInFlightPerJob: 4,
  cancelDrainMs: 3_000,
  includeCost: true,
  poll: { initialMs: 50, factor: 1.5, maxMs: 400 },
  referenceCacheTtlSeconds: 3600,
  maxImageBytes: 16 * 1024 * 1024,
};

export interface TestWorkers {
  workers: PhotoMakerWorkers;
  metrics: WorkerMetrics;
  deps: ActivityDeps;
  stop(): Promise<void>;
}

export interface StartedJob {
  input: PhotoMakerJobInput;
  handle: WorkflowHandle;
}

/** A reference photo: a small real PNG (sharp), stored in the blob store as the API would. */
async function referenceImage(blobs: BlobStore, seed = randomBytes(3)): Promise<BlobRef> {
  const png = await sharp({
    create: {
      width: 96,
      height: 96,
      channels: 3,
      background: { r: seed[0] ?? 0, g: seed[1] ?? 0, b: seed[2] ?? 0 },
    },
  })
    .png()
    .toBuffer();
  return blobs.put(new Uint8Array(png), 'image/png');
}

/** Everything one test file needs against the shared dev server, redis-server and emulator. */
export class Harness {
  readonly taskQueue: string;
  readonly keys: PayloadKeyRing = parsePayloadKeys(TEST_PAYLOAD_KEYS);
  readonly dataConverter: DataConverter = createDataConverter(this.keys);
  readonly blobDir: string;
  readonly blobs: LocalBlobStore;
  readonly emulator: EmulatorAdmin;
  readonly redis: Redis;
  readonly events: JobEventLog;
  readonly client: Client;
  readonly nativeConnection: NativeConnection;
  readonly emulatorUrl: string;
  private readonly running: TestWorkers[] = [];

  private constructor(options: {
    name: string;
    client: Client;
    nativeConnection: NativeConnection;
    emulatorUrl: string;
  }) {
    this.taskQueue = `photomaker-test-${options.name}-${randomUUID().slice(0, 8)}`;
    this.blobDir = join(inject('tmpDir'), `blobs-${this.taskQueue}`);
    mkdirSync(this.blobDir, { recursive: true });
    this.blobs = new LocalBlobStore(this.blobDir);
    this.emulatorUrl = options.emulatorUrl;
    this.emulator = new EmulatorAdmin(options.emulatorUrl);
    this.redis = new Redis(inject('redisUrl'));
    this.events = new JobEventLog(this.redis);
    this.client = options.client;
    this.nativeConnection = options.nativeConnection;
  }

  static async create(name: string, options: { emulatorUrl?: string } = {}): Promise<Harness> {
    const address = inject('temporalAddress');
    const keys = parsePayloadKeys(TEST_PAYLOAD_KEYS);
    const connection = await Connection.connect({ address });
    const client = new Client({ connection, dataConverter: createDataConverter(keys) });
    const nativeConnection = await NativeConnection.connect({ address });
    return new Harness({
      name,
      client,
      nativeConnection,
      emulatorUrl: options.emulatorUrl ?? inject('emulatorUrl'),
    });
  }

  /** In-process workers (both task queues) with test settings; stopped by `close()`. */
  async startWorkers(
    options: {
      settings?: Partial<ActivitySettings>;
      tuning?: Partial<WorkerTuning>;
      apiKey?: string;
      photoMakerForm?: PhotoMakerForm;
      /** Transport and socket settings (RUNWARE_TRANSPORT=websocket and its tuning). */
      runware?: Partial<RunwareResourceOptions>;
    } = {},
  ): Promise<TestWorkers> {
    const metrics = createWorkerMetrics(createMetricsRegistry('worker-test'));
    const resources = openResources({
      redisUrl: inject('redisUrl'),
      runware: {
        baseUrl: `${this.emulatorUrl}/v1`,
        apiKey: options.apiKey ?? RUNWARE_KEY,
        ...(options.photoMakerForm ? { photoMakerForm: options.photoMakerForm } : {}),
        ...options.runware,
      },
      blobs: this.blobs,
      settings: { ...TEST_SETTINGS, ...options.settings },
      logger: createLogger({ service: 'worker-test', level: 'warn' }),
      metrics,
      urlGuard: new UrlGuard({ allow: '127.0.0.1/32' }),
    });
    const workers = await PhotoMakerWorkers.create({
      connection: this.nativeConnection,
      taskQueue: this.taskQueue,
      dataConverter: this.dataConverter,
      activities: createActivities(resources.deps),
      metrics,
      workflows: { workflowBundle: { codePath: inject('workflowBundlePath') } },
      tuning: { shutdownGraceMs: 2_000, ...options.tuning },
    });
    const run = workers.run();
    const started: TestWorkers = {
      workers,
      metrics,
      deps: resources.deps,
      stop: async () => {
        workers.shutdown();
        await run.catch(() => undefined);
        await resources.close();
      },
    };
    this.running.push(started);
    return started;
  }

  /** A validated, normalized task like the API builds (small images: fast tests). */
  async task(overrides: Partial<Record<keyof JobTask, unknown>> = {}): Promise<JobTask> {
    const reference = await referenceImage(this.blobs);
    const params = jobTaskSchema.parse({
      inputImages: [{ kind: 'blob', blob: reference }],
      positivePrompt: 'a portrait, studio light',
      model: 'civitai:139562@344487',
      width: 128,
      height: 128,
      steps: 4,
      outputFormat: 'PNG',
      includeCost: true,
      ...overrides,
    });
    return { ...params, positivePrompt: applyTriggerWord(params.positivePrompt) };
  }

  input(task: JobTask, overrides: Partial<PhotoMakerJobInput> = {}): PhotoMakerJobInput {
    return {
      jobId: randomUUID(),
      tenant: 'tenant-test',
      task,
      runwareTaskUUID: randomUUID(),
      createdAt: new Date().toISOString(),
      ...overrides,
    };
  }

  /** Starts a job the way the API does: through the Temporal client alone. */
  async start(
    input: PhotoMakerJobInput,
    taskQueue = this.taskQueue,
    client = this.client,
  ): Promise<StartedJob> {
    const handle = await client.workflow.start(WORKFLOW_TYPE, {
      taskQueue,
      workflowId: workflowIdForJob(input.jobId),
      args: [input],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.tenant, value: input.tenant },
        { key: SEARCH_ATTRIBUTES.status, value: 'QUEUED' },
        { key: SEARCH_ATTRIBUTES.style, value: input.task.style },
        { key: SEARCH_ATTRIBUTES.model, value: input.task.model },
      ],
      staticSummary: `${input.task.numberResults} × ${input.task.width}x${input.task.height}, ${input.task.style}`,
    });
    return { input, handle };
  }

  async result(job: StartedJob): Promise<JobState> {
    return (await job.handle.result()) as JobState;
  }

  /** The taskUUIDs of a multi-image job's image tasks (first ones; follow-ups with `followUp`). */
  imageTaskUUIDs(input: PhotoMakerJobInput, followUp = 0): string[] {
    const run = { taskUUID: input.runwareTaskUUID, numberResults: input.task.numberResults };
    return Array.from({ length: run.numberResults }, (_, index) => imageTaskUUID(run, index, followUp));
  }

  /** Every image task of a multi-image job stays `processing` on getResponse (a job mid-generation). */
  async stuck(input: PhotoMakerJobInput): Promise<void> {
    await this.emulator.addFaults(
      this.imageTaskUUIDs(input).map((taskUUID) => ({
        match: { taskType: 'photoMaker', taskUUID },
        fault: { kind: 'stuck', polls: 10_000 },
      })),
    );
  }

  /**
   * The Runware tasks of a multi-image job (one per image, first tasks only; follow-ups with
   * `followUp`), as the emulator recorded them; undefined for tasks it never accepted.
   */
  async imageTasks(input: PhotoMakerJobInput, followUp = 0): Promise<(InspectedTask | undefined)[]> {
    return Promise.all(this.imageTaskUUIDs(input, followUp).map((uuid) => this.emulator.task(uuid)));
  }

  /** Generations charged for a multi-image job, over all its image tasks (first ones and follow-ups). */
  async chargesOf(
    input: PhotoMakerJobInput,
  ): Promise<{ charges: number; submissions: number; tasks: number }> {
    let charges = 0;
    let submissions = 0;
    let tasks = 0;
    for (let followUp = 0; followUp <= MAX_IMAGE_FOLLOW_UPS; followUp++) {
      for (const task of await this.imageTasks(input, followUp)) {
        if (!task) continue;
        tasks += 1;
        charges += task.charges;
        submissions += task.submissions;
      }
    }
    return { charges, submissions, tasks };
  }

  async query(job: StartedJob): Promise<JobState> {
    return job.handle.query(jobStateQuery);
  }

  /** Every event of a job, asserting the stream is gap-free and duplicate-free from seq 1. */
  async eventsOf(jobId: string): Promise<JobEvent[]> {
    const events = await this.events.range(jobId, 0);
    events.forEach((event, index) => {
      if (event.seq !== index + 1) {
        throw new Error(`event stream of ${jobId} is not gap-free: position ${index} has seq ${event.seq}`);
      }
    });
    return events;
  }

  /** Waits for an event of the job matching `predicate` (blocking XREAD on a dedicated connection). */
  async waitForEvent(
    jobId: string,
    predicate: (event: JobEvent) => boolean,
    timeoutMs = 30_000,
  ): Promise<JobEvent> {
    const connection = this.redis.duplicate();
    const reader = new JobEventLog(connection);
    const deadline = Date.now() + timeoutMs;
    let after = 0;
    try {
      while (Date.now() < deadline) {
        for (const event of await reader.read(jobId, after, { blockMs: 500 })) {
          after = event.seq;
          if (predicate(event)) return event;
        }
      }
      throw new Error(`no matching event for job ${jobId} within ${timeoutMs} ms`);
    } finally {
      connection.disconnect();
    }
  }

  async close(): Promise<void> {
    for (const workers of this.running.splice(0)) await workers.stop();
    this.redis.disconnect();
    await this.nativeConnection.close();
    await this.client.connection.close();
  }
}
