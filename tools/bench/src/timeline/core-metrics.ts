// The worker's Temporal SDK core metrics (its Prometheus endpoint): latency histograms summed over
// labels, so a run's delta gives each one's count and mean (where time inside a workflow task goes).

type Totals = Map<string, { sum: number; count: number }>;

export async function scrapeLatencies(url: string): Promise<Totals> {
  const text = await (await fetch(url)).text();
  const totals: Totals = new Map();
  for (const line of text.split('\n')) {
    const match = /^(temporal_\w*latency\w*)_(sum|count)(?:\{[^}]*\})? ([\d.eE+-]+)$/.exec(line);
    if (!match) continue;
    const [, name, kind, value] = match as unknown as [string, string, 'sum' | 'count', string];
    const entry = totals.get(name) ?? { sum: 0, count: 0 };
    entry[kind] += Number(value);
    totals.set(name, entry);
  }
  return totals;
}

/** Each histogram's observations between two scrapes: count and mean (in the metric's own unit). */
export function latencyDelta(before: Totals, after: Totals): { name: string; count: number; mean: number }[] {
  return [...after].flatMap(([name, { sum, count }]) => {
    const was = before.get(name) ?? { sum: 0, count: 0 };
    const n = count - was.count;
    return n > 0 ? [{ name, count: n, mean: Math.round(((sum - was.sum) / n) * 100) / 100 }] : [];
  });
}
