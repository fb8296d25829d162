import { TASK_QUEUE } from '@photomaker/temporal';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { type Activities, splitActivities } from './activities/index.ts';
import { activityMetrics } from './activity-metrics.ts';
import type { WorkerMetrics } from './metrics.ts';
import { runwareTaskQueue } from './workflows/task-queues.ts';

export interface WorkerTuning {
  /** Activity slots per worker (each Runware step holds one while it polls). */
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  maxConcurrentLocalActivities: number;
  /** Server-side limit for the Runware task queue: the global Runware rate (all workers). */
  runwareActivitiesPerSecond?: number | undefined;
  /** In-flight activities get this long to finish on shutdown before they are cancelled. */
  shutdownGraceMs: number;
  /**
   * Longest gap between heartbeats sent to the server by Runware activities. Cancellation reaches an
   * activity only with a heartbeat answer, so this bounds how long a cancelled job keeps polling.
   */
  heartbeatThrottleMs: number;
}

export const DEFAULT_TUNING: WorkerTuning = {
  maxConcurrentActivities: 200,
  maxConcurrentWorkflowTasks: 40,
  maxConcurrentLocalActivities: 200,
  shutdownGraceMs: 30_000,
  heartbeatThrottleMs: 2_000,
};

/** Where workflow code comes from: a prebuilt bundle (production) or the sources (bundled at start). */
export type WorkflowSource = { workflowBundle: { codePath: string } } | { workflowsPath: string };

export const WORKFLOWS_PATH = new URL('./workflows/index.ts', import.meta.url).pathname;

export interface PhotoMakerWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  /** The workflow task queue; Runware activities use `<taskQueue>-runware`. Default `photomaker`. */
  taskQueue?: string;
  dataConverter: DataConverter;
  activities: Activities;
  metrics?: WorkerMetrics;
  workflows?: WorkflowSource;
  tuning?: Partial<WorkerTuning>;
  identity?: string;
}

/**
 * The two workers of one process, on one connection: workflows + local/delivery activities on the
 * job queue, and Runware-calling activities on their own rate-limited queue.
 */
export class PhotoMakerWorkers {
  readonly main: Worker;
  readonly runware: Worker;
  readonly taskQueues: { main: string; runware: string };

  private constructor(main: Worker, runware: Worker, taskQueues: { main: string; runware: string }) {
    this.main = main;
    this.runware = runware;
    this.taskQueues = taskQueues;
  }

  static async create(options: PhotoMakerWorkerOptions): Promise<PhotoMakerWorkers> {
    const tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const taskQueue = options.taskQueue ?? TASK_QUEUE;
    const { main, runware } = splitActivities(options.activities);
    const common: Partial<WorkerOptions> = {
      connection: options.connection,
      namespace: options.namespace ?? 'default',
      dataConverter: options.dataConverter,
      shutdownGraceTime: tuning.shutdownGraceMs,
      maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivities,
      ...(options.identity ? { identity: options.identity } : {}),
      ...(options.metrics ? { interceptors: { activity: [activityMetrics(options.metrics)] } } : {}),
    };
    const workflowWorker = await Worker.create({
      ...common,
      connection: options.connection,
      taskQueue,
      ...(options.workflows ?? { workflowsPath: WORKFLOWS_PATH }),
      activities: main,
      maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTasks,
      maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivities,
    });
    const runwareWorker = await Worker.create({
      ...common,
      connection: options.connection,
      taskQueue: runwareTaskQueue(taskQueue),
      activities: runware,
      maxHeartbeatThrottleInterval: tuning.heartbeatThrottleMs,
      defaultHeartbeatThrottleInterval: tuning.heartbeatThrottleMs,
      ...(tuning.runwareActivitiesPerSecond !== undefined
        ? { maxTaskQueueActivitiesPerSecond: tuning.runwareActivitiesPerSecond }
        : {}),
    });
    return new PhotoMakerWorkers(workflowWorker, runwareWorker, {
      main: taskQueue,
      runware: runwareTaskQueue(taskQueue),
    });
  }

  /** Runs both until shutdown; if one fails, the other is shut down too. */
  async run(): Promise<void> {
    const runs = [this.main.run(), this.runware.run()];
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
    for (const worker of [this.main, this.runware]) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
  }

  states(): { main: string; runware: string } {
    return { main: this.main.getState(), runware: this.runware.getState() };
  }

  get running(): boolean {
    return this.main.getState() === 'RUNNING' && this.runware.getState() === 'RUNNING';
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
