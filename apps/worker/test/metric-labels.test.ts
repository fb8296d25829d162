import { createMetricsRegistry } from '@photomaker/observability';
import { describe, expect, it } from 'vitest';
import { createWorkerMetrics, timeRunware } from '../src/metrics.ts';

const seriesOf = async (metrics: ReturnType<typeof createWorkerMetrics>, name: string) =>
  ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? [])
    .map((v) => v.labels)
    .filter((labels) => !('le' in labels));

describe('worker metric labels (closed sets)', () => {
  it('keeps known Runware codes and turns any other code into other', async () => {
    const metrics = createWorkerMetrics(createMetricsRegistry('worker-labels-test'));
    const fail = (code: unknown) => () => Promise.reject(Object.assign(new Error('no'), { code }));
    await timeRunware(metrics, 'photoMaker', fail('inferenceError')).catch(() => undefined);
    for (let i = 0; i < 300; i++) {
      await timeRunware(metrics, 'photoMaker', fail(`made-up-${i}`)).catch(() => undefined);
    }
    await timeRunware(metrics, 'photoMaker', fail(undefined)).catch(() => undefined);
    await timeRunware(metrics, 'getResponse', () => Promise.resolve(1));
    const series = await seriesOf(metrics, 'photomaker_runware_request_duration_seconds');
    const outcomes = new Set(series.map((labels) => `${labels.task_type}/${labels.outcome}`));
    expect(outcomes).toEqual(
      new Set(['photoMaker/inferenceError', 'photoMaker/other', 'photoMaker/error', 'getResponse/ok']),
    );
  });

  it('maps unknown activity types, delivery kinds and outcomes to other', async () => {
    const metrics = createWorkerMetrics(createMetricsRegistry('worker-labels-test'));
    metrics.activities.inc({ activity: 'collectImages', outcome: 'completed' });
    metrics.activities.inc({ activity: 'someoneElsesActivity', outcome: 'completed' });
    metrics.retries.inc({ activity: '__proto__' });
    metrics.deliveries.inc({ kind: 'webhook', outcome: 'delivered' });
    metrics.deliveries.inc({ kind: 'carrier-pigeon', outcome: 'lost' });
    expect(await seriesOf(metrics, 'photomaker_worker_activity_attempts_total')).toEqual([
      { activity: 'collectImages', outcome: 'completed' },
      { activity: 'other', outcome: 'completed' },
    ]);
    expect(await seriesOf(metrics, 'photomaker_worker_activity_retries_total')).toEqual([
      { activity: 'other' },
    ]);
    expect(await seriesOf(metrics, 'photomaker_worker_deliveries_total')).toEqual([
      { kind: 'webhook', outcome: 'delivered' },
      { kind: 'other', outcome: 'other' },
    ]);
  });
});
