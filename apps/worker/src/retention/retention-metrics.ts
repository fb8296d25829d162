import { Counter, Gauge, Histogram, type Registry, withClosedLabels } from '@photomaker/observability';

/** What the retention sweep erased: whole jobs, output images, reference photos. */
export const ERASED_KINDS = ['job', 'output_image', 'reference_image'] as const;

export interface RetentionMetrics {
  erased: Counter<'kind'>;
  runSeconds: Histogram;
  lastSuccess: Gauge;
}

/** The retention schedule's own metrics, on the worker's /metrics. */
export function createRetentionMetrics(registry: Registry): RetentionMetrics {
  const registers = [registry];
  return {
    erased: withClosedLabels(
      new Counter({
        name: 'photomaker_retention_erased_total',
        help: 'Erased by the retention sweep, by kind (job, output_image, reference_image).',
        labelNames: ['kind'],
        registers,
      }),
      { kind: ERASED_KINDS },
    ),
    runSeconds: new Histogram({
      name: 'photomaker_retention_sweep_duration_seconds',
      help: 'Duration of one retention sweep run (the schedule starts one per PHOTOMAKER_RETENTION_SWEEP_EVERY).',
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    }),
    lastSuccess: new Gauge({
      name: 'photomaker_retention_last_success_timestamp_seconds',
      help: 'Unix time the last retention sweep run finished (alert when it falls far behind).',
      registers,
    }),
  };
}
