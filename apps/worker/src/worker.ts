import type { Tracing } from '@photomaker/observability/tracing';
import { TASK_QUEUE } from '@photomaker/temporal';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { type Activities, splitActivities } from './activities/index.ts';
import { scrubActivityFailures } from './activity-failure-scrub.ts';
import { activityMetrics } from './activity-metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { RetentionActivities } from './retention/retention-activities.ts';
import { type SdkTuning, sdkWorkerOptions } from './sdk-tuning.ts';
import { activityTracing } from './tracing/activity-tracing.ts';
import { workflowSpanSinks } from './tracing/workflow-spans.ts';
import { admissionTaskQueue, deliveryTaskQueue, visionTaskQueue } from './workflows/task-queues.ts';

export interface WorkerTuning {
  /** Activity slots per worker (each Runware step holds one while it polls). */
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  maxConcurrentLocalActivities: number;
  /** Threads running workflow code (the sandbox is CPU-bound; 1 leaves the main thread a core). */
  workflowThreads: number;
  /**
   * Server-side limit on the job task queue's activities, i.e. Runware calls (deliveries have their own
   * queue, local activities never count): the global Runware rate across all workers.
   */
  runwareActivitiesPerSecond?: number | undefined;
  /**
   * Face-model activities run at once on `<taskQueue>-vision` (CPU-bound: about one per core). 0: no
   * vision worker in this process (another deployment polls that queue).
   */
  visionActivities: number;
  /** In-flight activities get this long to finish on shutdown before they are cancelled. */
  shutdownGraceMs: number;
  /**
   * Longest gap between heartbeats sent to the server by Runware activities. Cancellation reaches an
   * activity only with a heartbeat answer, so this bounds how long a cancelled job keeps polling.
   */
  heartbeatThrottleMs: number;
  /** Temporal SDK options of the job-queue worker (WORKER_SDK_TUNING); empty: the SDK's defaults. */
  sdk: SdkTuning;
}

const DEFAULT_TUNING: WorkerTuning = {
  maxConcurrentActivities: 200,
  maxConcurrentWorkflowTasks: 40,
  maxConcurrentLocalActivities: 200,
  workflowThreads: 1,
  visionActivities: 1,
  shutdownGraceMs: 30_000,
  heartbeatThrottleMs: 2_000,
  sdk: {},
};

export interface TaskQueueNames {
  main: string;
  deliveries: string;
  admission: string;
  vision?: string;
}

/** Where workflow code comes from: a prebuilt bundle (production) or the sources (bundled at start). */
export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

export const WORKFLOWS_PATH = new URL('./workflows/index.ts', import.meta.url).pathname;

/**
 * Workflow interceptor modules: part of every bundle (prebuilt, at start, in tests), whether this process
 * traces or not, so one bundle serves both. Temporal's tracing, for jobs started with a trace only.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  new URL('./workflows/tracing-interceptors.ts', import.meta.url).pathname,
];

export interface PhotoMakerWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  /** The job task queue (workflows + Runware activity); deliveries use `<taskQueue>-deliveries`. */
  taskQueue?: string;
  dataConverter: DataConverter;
  activities: Activities;
  /** The retention sweep's activities (its workflow is in the same bundle, on the job task queue). */
  retentionActivities?: RetentionActivities;
  metrics?: WorkerMetrics;
  workflows?: WorkflowSource;
  tuning?: Partial<WorkerTuning>;
  identity?: string;
  /** This process's tracing (startTracing); off when absent. */
  tracing?: Tracing;
}

/**
 * The two workers of one process, on one connection: the job queue (workflows, local activities, the
 * rate-limited Runware activity) and the deliveries queue (webhook POSTs, upload PUTs).
 */
export class PhotoMakerWorkers {
  readonly main: Worker;
  readonly deliveries: Worker;
  /** The admission workflow's queue (workflow tasks only). */
  readonly admission: Worker;
  /** The face-model activities' queue; absent when this process does not poll it. */
  readonly vision: Worker | undefined;
  readonly taskQueues: TaskQueueNames;

  private constructor(
    workers: { main: Worker; deliveries: Worker; admission: Worker; vision: Worker | undefined },
    taskQueues: TaskQueueNames,
  ) {
    this.main = workers.main;
    this.deliveries = workers.deliveries;
    this.admission = workers.admission;
    this.vision = workers.vision;
    this.taskQueues = taskQueues;
  }

  private get all(): Worker[] {
    return [this.main, this.deliveries, this.admission, ...(this.vision ? [this.vision] : [])];
  }

  static async create(options: PhotoMakerWorkerOptions): Promise<PhotoMakerWorkers> {
    const tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const taskQueue = options.taskQueue ?? TASK_QUEUE;
    const { main, deliveries, vision } = splitActivities(options.activities, {
      localRunwareStep: tuning.runwareActivitiesPerSecond === undefined,
    });
    const common: Partial<WorkerOptions> = {
      connection: options.connection,
      namespace: options.namespace ?? 'default',
      dataConverter: options.dataConverter,
      shutdownGraceTime: tuning.shutdownGraceMs,
      maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
      ...(options.identity ? { identity: options.identity } : {}),
      interceptors: {
        activity: [
          ...(options.tracing?.enabled ? [activityTracing] : []),
          ...(options.metrics ? [activityMetrics(options.metrics)] : []),
          scrubActivityFailures,
        ],
        // Bundled from the sources only; a prebuilt bundle has them already (scripts/build-workflow-bundle.ts).
        workflowModules: WORKFLOW_INTERCEPTOR_MODULES,
      },
    };
    const workflowWorker = await Worker.create({
      ...common,
      connection: options.connection,
      taskQueue,
      ...(options.workflows ?? { workflowsPath: WORKFLOWS_PATH }),
      activities: { ...main, ...options.retentionActivities },
      sinks: workflowSpanSinks(options.tracing ?? { enabled: false, shutdown: async () => undefined }),
      maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
      maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivities,
      workflowThreadPoolSize: tuning.workflowThreads,
      maxHeartbeatThrottleInterval: tuning.heartbeatThrottleMs,
      defaultHeartbeatThrottleInterval: tuning.heartbeatThrottleMs,
      // With a queue-wide rate limit every Runware activity must go through matching, where the limit
      // is enforced: eager dispatch (activity handed back with the workflow task) would bypass it.
      ...(tuning.runwareActivitiesPerSecond !== undefined
        ? {
            maxTaskQueueActivitiesPerSecond: tuning.runwareActivitiesPerSecond,
            maxEagerActivityReservationsPerWorkflowTask: 0,
          }
        : {}),
      ...sdkWorkerOptions(tuning.sdk),
    });
    const deliveryWorker = await Worker.create({
      ...common,
      connection: options.connection,
      taskQueue: deliveryTaskQueue(taskQueue),
      activities: deliveries,
    });
    // One admission workflow per deployment: a couple of task slots is all it can use.
    const admissionWorker = await Worker.create({
      ...common,
      connection: options.connection,
      taskQueue: admissionTaskQueue(taskQueue),
      ...(options.workflows ?? { workflowsPath: WORKFLOWS_PATH }),
      maxConcurrentWorkflowTaskExecutions: 2,
      workflowThreadPoolSize: 1,
    });
    const visionWorker =
      tuning.visionActivities > 0
        ? await Worker.create({
            ...common,
            connection: options.connection,
            taskQueue: visionTaskQueue(taskQueue),
            activities: vision,
            maxConcurrentActivityTaskExecutions: tuning.visionActivities,
          })
        : undefined;
    return new PhotoMakerWorkers(
      { main: workflowWorker, deliveries: deliveryWorker, admission: admissionWorker, vision: visionWorker },
      {
        main: taskQueue,
        deliveries: deliveryTaskQueue(taskQueue),
        admission: admissionTaskQueue(taskQueue),
        ...(visionWorker ? { vision: visionTaskQueue(taskQueue) } : {}),
      },
    );
  }

  /** Runs all until shutdown; if one fails, the others are shut down too. */
  async run(): Promise<void> {
    const runs = this.all.map((worker) => worker.run());
    try {
      await Promise.all(runs);
    } catch (error) {
      this.shutdown();
      await Promise.allSettled(runs);
      throw error;
    }
  }

  /** Stops polling; in-flight activities get the grace time, then both runs resolve. */
  shutdown(): void {
    for (const worker of this.all) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  }

  states(): { main: string; deliveries: string; admission: string; vision?: string } {
    return {
      main: this.main.getState(),
      deliveries: this.deliveries.getState(),
      admission: this.admission.getState(),
      ...(this.vision ? { vision: this.vision.getState() } : {}),
    };
  }

  get running(): boolean {
    return this.all.every((worker) => worker.getState() === 'RUNNING');
  }

  /** Runs both while `promise` is pending (tests), then shuts down. */
  async runUntil<T>(promise: Promise<T>): Promise<T> {
    const running = this.run();
    try {
      return await promise;
    } finally {
      this.shutdown();
      await running;
    }
  }
}
