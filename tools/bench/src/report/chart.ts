import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchResults } from './results.ts';

type Phase = BenchResults['phases'][number];

/**
 * One PNG, three panels: latency (p50, p99) vs in-flight jobs for both paths, throughput vs in-flight
 * jobs, and fan-out delivery latency vs subscribers. Vega-Lite -> SVG (headless, no canvas) -> PNG by sharp.
 */
export async function renderChart(results: BenchResults, file: string): Promise<void> {
  // The emulator mode is named only when the run measured both.
  const mode = (p: Phase) => (results.emulatorImages.length > 1 ? `, ${p.images}` : '');
  const label = (p: Phase) =>
    `${p.path === 'direct' ? '(a) direct' : '(b) platform'}${mode(p)}, ${p.latency === 'none' ? '0 ms' : p.latency}`;
  const latencyRows = results.phases.flatMap((p) =>
    (['p50', 'p99'] as const).map((q) => ({
      concurrency: p.concurrency,
      ms: Math.max(0.1, p.latencyMs[q]),
      series: `${label(p)} ${q}`,
    })),
  );
  const throughputRows = results.phases.map((p) => ({
    concurrency: p.concurrency,
    jobsPerSecond: p.throughput,
    series: label(p),
  }));
  const fanoutRows = results.fanout.flatMap((f) =>
    (['p50', 'p99'] as const).map((q) => ({
      subscribers: f.subscribers,
      ms: Math.max(0.1, f.deliveryMs[q]),
      series: q,
    })),
  );
  const x = (field: string, title: string) => ({
    field,
    type: 'quantitative' as const,
    title,
    scale: { type: 'log' as const },
  });
  const panels: TopLevelSpec[] = [
    {
      title: 'Latency per job vs in-flight jobs',
      width: 360,
      height: 260,
      data: { values: latencyRows },
      mark: { type: 'line', point: true },
      encoding: {
        x: x('concurrency', 'jobs in flight'),
        y: { field: 'ms', type: 'quantitative', title: 'ms (log)', scale: { type: 'log' } },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          legend: { orient: 'bottom', columns: 2, labelLimit: 320 },
        },
      },
    } as TopLevelSpec,
    {
      title: 'Throughput vs in-flight jobs',
      width: 360,
      height: 260,
      data: { values: throughputRows },
      mark: { type: 'line', point: true },
      encoding: {
        x: x('concurrency', 'jobs in flight'),
        y: { field: 'jobsPerSecond', type: 'quantitative', title: 'jobs / s' },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          legend: { orient: 'bottom', columns: 2, labelLimit: 320 },
        },
      },
    } as TopLevelSpec,
  ];
  if (fanoutRows.length > 0) {
    panels.push({
      title: 'Fan-out: append -> client receipt',
      width: 300,
      height: 260,
      data: { values: fanoutRows },
      mark: { type: 'line', point: true },
      encoding: {
        x: x('subscribers', 'subscribers (one API process)'),
        y: { field: 'ms', type: 'quantitative', title: 'ms' },
        color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      },
    } as TopLevelSpec);
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `PhotoMaker platform bench, ${results.date} (${results.machine.cpus} cores, ${results.mode})`,
      fontSize: 14,
    },
    background: 'white',
    hconcat: panels.map(({ $schema: _s, ...panel }) => panel),
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG(2);
  view.finalize();
  await sharp(Buffer.from(svg)).png().toFile(file);
}
