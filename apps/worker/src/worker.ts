import { TASK_QUEUE } from '@photomaker/temporal';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { type Activities, splitActivities } from './activities/index.ts';
import { scrubActivityFailures } from './activity-failure-scrub.ts';
import { activityMetrics } from './activity-metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import type { RetentionActivities } from './retention/retention-activities.ts';
import { deliveryTaskQueue } from './workflows/task-queues.ts';

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
  /** In-flight activities get this long to finish on shutdown before they are cancelled. */
  shutdownGraceMs: number;
  /**
   * Longest gap between heartbeats sent to the server by Runware activities. Cancellation reaches an
   * activity only with a heartbeat answer, so this bounds how long a cancelled job keeps polling.
   */
  heartbeatThrottleMs: number;
}

const DEFAULT_TUNING: WorkerTuning = {
  maxConcurrentActivities: 200,
  maxConcurrentWorkflowTasks: 40,
  maxConcurrentLocalActivities: 200,
  workflowThreads: 1,
  shutdownGraceMs: 30_000,
  heartbeatThrottleMs: 2_000,
};

/** Where workflow code comes from: a prebuilt bundle (production) or the sources (bundled at start). */
export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

export const WORKFLOWS_PATH = new URL('./workflows/index.ts', import.meta.url).pathname;

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
}

/**
 * The two workers of one process, on one connection: the job queue (workflows, local activities, the
 * rate-limited Runware activity) and the deliveries queue (webhook POSTs, upload PUTs).
 */
export class PhotoMakerWorkers {
  readonly main: Worker;
  readonly deliveries: Worker;
  readonly taskQueues: { main: string; deliveries: string };

  private constructor(main: Worker, deliveries: Worker, taskQueues: { main: string; deliveries: string }) {
    this.main = main;
    this.deliveries = deliveries;
    this.taskQueues = taskQueues;
  }

  static async create(options: PhotoMakerWorkerOptions): Promise<PhotoMakerWorkers> {
    const tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const taskQueue = options.taskQueue ?? TASK_QUEUE;
    const { main, deliveries } = splitActivities(options.activities, {
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
        activity: [...(options.metrics ? [activityMetrics(options.metrics)] : []), scrubActivityFailures],
      },
    };
    const workflowWorker = await Worker.create({
      ...common,
      connection: options.connection,
      taskQueue,
      ...(options.workflows ?? { workflowsPath: WORKFLOWS_PATH }),
      activities: { ...main, ...options.retentionActivities },
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
    });
    const deliveryWorker = await Worker.create({
      ...common,
      connection: options.connection,
      taskQueue: deliveryTaskQueue(taskQueue),
      activities: deliveries,
    });
    return new PhotoMakerWorkers(workflowWorker, deliveryWorker, {
      main: taskQueue,
      deliveries: deliveryTaskQueue(taskQueue),
    });
  }

  /** Runs both until shutdown; if one fails, the other is shut down too. */
  async run(): Promise<void> {
    const runs = [this.main.run(), this.deliveries.run()];
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
    for (const worker of [this.main, this.deliveries]) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  }

  states(): { main: string; deliveries: string } {
    return { main: this.main.getState(), deliveries: this.deliveries.getState() };
  }

  get running(): boolean {
    return this.main.getState() === 'RUNNING' && this.deliveries.getState() === 'RUNNING';
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
