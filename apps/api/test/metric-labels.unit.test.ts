import { readdirSync, readFileSync } from 'node:fs';
import { validateTask } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { INPUT_ERROR_CODES, OPERATION_NAMES } from '../src/metric-labels.ts';
import { createApiMetrics } from '../src/metrics.ts';

const seriesOf = async (metrics: ReturnType<typeof createApiMetrics>, name: string) =>
  ((await metrics.registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => v.labels);

describe('API metric labels (closed sets)', () => {
  it('turns client-chosen operation names, taskTypes, methods and codes into other', async () => {
    const metrics = createApiMetrics();
    const before = (await metrics.registry.metrics()).length;
    for (let i = 0; i < 500; i++) {
      const junk = `x${i}${'y'.repeat(200)}`;
      metrics.graphqlOperations.inc({ transport: 'http', type: 'query', name: junk, outcome: 'ok' });
      metrics.v1Tasks.inc({ taskType: junk, outcome: 'error' });
      metrics.inputRejected.inc({ via: 'v1', code: `invalid${junk}` });
      metrics.httpDuration.observe({ method: junk, route: '/v1', status: junk }, 0.01);
    }
    for (const taskType of ['__proto__', 'constructor', 'toString']) {
      metrics.v1Tasks.inc({ taskType, outcome: 'error' });
    }
    expect(await seriesOf(metrics, 'photomaker_api_graphql_operations_total')).toEqual([
      { transport: 'http', type: 'query', name: 'other', outcome: 'ok' },
    ]);
    expect(await seriesOf(metrics, 'photomaker_api_v1_tasks_total')).toEqual([
      { taskType: 'other', outcome: 'error' },
    ]);
    expect(await seriesOf(metrics, 'photomaker_api_input_rejected_total')).toEqual([
      { via: 'v1', code: 'other' },
    ]);
    // 1,500 junk calls add a handful of lines (one series each, plus the histogram's buckets).
    expect((await metrics.registry.metrics()).length - before).toBeLessThan(4_000);
  });

  it('keeps the values our own code and clients produce', async () => {
    const metrics = createApiMetrics();
    metrics.graphqlOperations.inc({
      transport: 'ws',
      type: 'subscription',
      name: 'JobEvents',
      outcome: 'started',
    });
    metrics.v1Tasks.inc({ taskType: 'photoMaker', outcome: 'ok' });
    metrics.inputRejected.inc({ via: 'graphql', code: 'invalidPositivePrompt' });
    metrics.httpDuration.observe({ method: 'POST', route: '/graphql', status: '429' }, 0.01);
    expect(await seriesOf(metrics, 'photomaker_api_graphql_operations_total')).toEqual([
      { transport: 'ws', type: 'subscription', name: 'JobEvents', outcome: 'started' },
    ]);
    expect(await seriesOf(metrics, 'photomaker_api_v1_tasks_total')).toEqual([
      { taskType: 'photoMaker', outcome: 'ok' },
    ]);
    expect(await seriesOf(metrics, 'photomaker_api_input_rejected_total')).toEqual([
      { via: 'graphql', code: 'invalidPositivePrompt' },
    ]);
    const durations = await seriesOf(metrics, 'photomaker_api_http_request_duration_seconds');
    expect(durations[0]).toMatchObject({ method: 'POST', route: '/graphql', status: '429' });
  });

  it('lists every operation name of the first-party clients', () => {
    const webOperations = readdirSync(new URL('../../web/src/api/', import.meta.url))
      .filter((name) => name.endsWith('operations.ts'))
      .map((name) => `../../web/src/api/${name}`);
    const files = [
      ...webOperations,
      '../../../tools/harness/src/client/documents.ts',
      '../../../tools/launcher/src/banner.ts',
    ];
    const names = files.flatMap((file) =>
      [
        ...readFileSync(new URL(file, import.meta.url), 'utf8').matchAll(
          /\b(?:query|mutation|subscription) ([A-Z]\w*)/g,
        ),
      ].map((match) => match[1]),
    );
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(OPERATION_NAMES).toContain(name);
  });

  it('knows the codes validation gives for bad top-level parameters', () => {
    const result = validateTask({ taskType: 'photoMaker', taskUUID: 'nope', positivePrompt: 5, steps: 'x' });
    expect(result.ok).toBe(false);
    const codes = result.ok ? [] : result.errors.map((e) => e.code);
    expect(codes.length).toBeGreaterThan(0);
    for (const code of codes) expect(INPUT_ERROR_CODES.has(code)).toBe(true);
    expect(INPUT_ERROR_CODES.has('unsupportedTaskType')).toBe(true);
  });
});
