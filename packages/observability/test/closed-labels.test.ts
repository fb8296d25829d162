import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { closedValue, OTHER_LABEL, withClosedLabels } from '../src/index.ts';

const values = async (registry: Registry, name: string) =>
  ((await registry.getSingleMetric(name)?.get())?.values ?? []).map((v) => v.labels);

describe('withClosedLabels', () => {
  it('maps every value outside the closed set to other, through each way of passing labels', async () => {
    const registry = new Registry();
    const counter = withClosedLabels(
      new Counter({
        name: 'c_total',
        help: 'c',
        labelNames: ['kind', 'code'] as const,
        registers: [registry],
      }),
      { kind: ['a', 'b'], code: (v) => (/^\d{3}$/.test(v) ? v : OTHER_LABEL) },
    );
    counter.inc({ kind: 'a', code: 200 });
    counter.inc({ kind: 'evil-1', code: 'x' }, 2);
    counter.labels('evil-2', '404').inc();
    counter.labels({ kind: 'evil-3', code: '500' }).inc();
    expect(await values(registry, 'c_total')).toEqual([
      { kind: 'a', code: '200' },
      { kind: 'other', code: 'other' },
      { kind: 'other', code: '404' },
      { kind: 'other', code: '500' },
    ]);
  });

  it('closes histogram observations and timers, and gauges', async () => {
    const registry = new Registry();
    const histogram = withClosedLabels(
      new Histogram({
        name: 'h',
        help: 'h',
        labelNames: ['task', 'outcome'] as const,
        registers: [registry],
      }),
      { task: new Set(['photoMaker']), outcome: ['ok', 'error'] },
    );
    histogram.observe({ task: 'photoMaker', outcome: 'ok' }, 1);
    const end = histogram.startTimer({ task: 'anything' });
    end({ outcome: 'weird' });
    const gauge = withClosedLabels(
      new Gauge({ name: 'g', help: 'g', labelNames: ['side'] as const, registers: [registry] }),
      { side: ['left'] },
    );
    gauge.set({ side: 'right' }, 3);
    const seen = (await values(registry, 'h')).map((l) => `${l.task}/${l.outcome}`);
    expect(new Set(seen)).toEqual(new Set(['photoMaker/ok', 'other/other']));
    expect(await values(registry, 'g')).toEqual([{ side: 'other' }]);
  });

  it('keeps the series count bounded however many distinct values arrive', async () => {
    const registry = new Registry();
    const counter = withClosedLabels(
      new Counter({ name: 'flood_total', help: 'f', labelNames: ['name'] as const, registers: [registry] }),
      { name: ['Known'] },
    );
    for (let i = 0; i < 1000; i++) counter.inc({ name: `op${i}` });
    counter.inc({ name: 'Known' });
    expect(await values(registry, 'flood_total')).toHaveLength(2);
  });

  it('closedValue: sets, arrays and functions', () => {
    expect(closedValue(new Set(['x']), 'x')).toBe('x');
    expect(closedValue(['x'], 'y')).toBe(OTHER_LABEL);
    expect(closedValue((v) => v.slice(0, 1), 'abc')).toBe('a');
  });
});
