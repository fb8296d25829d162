import {
  Counter,
  Histogram,
  LATENCY_BUCKETS,
  type Registry,
  withClosedLabels,
} from '@photomaker/observability';
import {
  ACTIVITY_OUTCOMES,
  ACTIVITY_TYPES,
  DELIVERY_KINDS,
  DELIVERY_OUTCOMES,
  EVENT_RESULTS,
  JOB_OUTCOMES,
  REFERENCE_SOURCES,
  RUNWARE_TASK_TYPES,
  runwareOutcome,
} from './metric-labels.ts';

/**
 * The worker's own Prometheus metrics (Temporal SDK core metrics are merged in at /metrics); every label
 * takes values from a closed set (metric-labels.ts).
 */
export interface WorkerMetrics {
  registry: Registry;
  jobs: Counter<'outcome'>;
  runwareSeconds: Histogram<'task_type' | 'outcome'>;
  activities: Counter<'activity' | 'outcome'>;
  retries: Counter<'activity'>;
  imagesPersisted: Counter;
  referenceImages: Counter<'source'>;
  deliveries: Counter<'kind' | 'outcome'>;
  events: Counter<'result'>;
}

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const registers = [registry];
  return {
    registry,
    jobs: withClosedLabels(
      new Counter({
        name: 'photomaker_jobs_total',
        help: 'Jobs that reached a terminal state, by outcome (succeeded, failed, cancelled).',
        labelNames: ['outcome'],
        registers,
      }),
      { outcome: JOB_OUTCOMES },
    ),
    runwareSeconds: withClosedLabels(
      new Histogram({
        name: 'photomaker_runware_request_duration_seconds',
        help: 'Runware calls by task type (imageUpload, photoMaker, getResponse) and outcome (ok or an error code).',
        labelNames: ['task_type', 'outcome'],
        buckets: LATENCY_BUCKETS,
        registers,
      }),
      { task_type: RUNWARE_TASK_TYPES, outcome: runwareOutcome },
    ),
    activities: withClosedLabels(
      new Counter({
        name: 'photomaker_worker_activity_attempts_total',
        help: 'Activity attempts by activity type and outcome (completed, failed, cancelled).',
        labelNames: ['activity', 'outcome'],
        registers,
      }),
      { activity: ACTIVITY_TYPES, outcome: ACTIVITY_OUTCOMES },
    ),
    retries: withClosedLabels(
      new Counter({
        name: 'photomaker_worker_activity_retries_total',
        help: 'Activity attempts after the first one (Temporal retries), by activity type.',
        labelNames: ['activity'],
        registers,
      }),
      { activity: ACTIVITY_TYPES },
    ),
    imagesPersisted: new Counter({
      name: 'photomaker_worker_images_persisted_total',
      help: 'Generated images stored in the blob store.',
      registers,
    }),
    referenceImages: withClosedLabels(
      new Counter({
        name: 'photomaker_worker_reference_images_total',
        help: 'Reference images made available on Runware, by source (cache: a known imageUUID, upload).',
        labelNames: ['source'],
        registers,
      }),
      { source: REFERENCE_SOURCES },
    ),
    deliveries: withClosedLabels(
      new Counter({
        name: 'photomaker_worker_deliveries_total',
        help: 'Webhook POSTs and uploadEndpoint PUTs by kind and outcome (delivered, retry, refused).',
        labelNames: ['kind', 'outcome'],
        registers,
      }),
      { kind: DELIVERY_KINDS, outcome: DELIVERY_OUTCOMES },
    ),
    events: withClosedLabels(
      new Counter({
        name: 'photomaker_worker_events_total',
        help: 'Progress events written to Redis, by result (appended, duplicate).',
        labelNames: ['result'],
        registers,
      }),
      { result: EVENT_RESULTS },
    ),
  };
}

/** Times one Runware call into the latency histogram. */
export async function timeRunware<T>(
  metrics: WorkerMetrics,
  taskType: string,
  call: () => Promise<T>,
): Promise<T> {
  const end = metrics.runwareSeconds.startTimer({ task_type: taskType });
  try {
    const result = await call();
    end({ outcome: 'ok' });
    return result;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    end({ outcome: typeof code === 'string' ? code : 'error' });
    throw error;
  }
}
