import type { Counter, Gauge, Histogram, LabelValues } from 'prom-client';

/** The value a label takes for anything outside its closed set. */
export const OTHER_LABEL = 'other';

/** The values one label may take (anything else becomes `other`), or a function onto a closed set. */
export type LabelDomain = ReadonlySet<string> | readonly string[] | ((value: string) => string);

export type LabelDomains<L extends string> = Record<L, LabelDomain>;

export function closedValue(domain: LabelDomain, value: string | number): string {
  const text = String(value);
  if (typeof domain === 'function') return domain(text);
  const allowed = Array.isArray(domain) ? domain.includes(text) : (domain as ReadonlySet<string>).has(text);
  return allowed ? text : OTHER_LABEL;
}

export function closeLabelValues<L extends string>(
  domains: LabelDomains<L>,
  labels: LabelValues<L>,
): LabelValues<L> {
  const closed: Partial<Record<L, string>> = {};
  for (const [name, value] of Object.entries(labels) as [L, string | number | undefined][]) {
    if (value === undefined) continue;
    // A label the metric does not declare is left for prom-client to refuse, as it would without us.
    closed[name] = domains[name] ? closedValue(domains[name], value) : String(value);
  }
  return closed as LabelValues<L>;
}

type Method = (this: unknown, ...args: unknown[]) => unknown;
const isLabels = (value: unknown): value is Record<string, string | number> =>
  typeof value === 'object' && value !== null;

/**
 * Makes every label of `metric` take values from a closed set, whatever the caller passes: a label fed
 * from a client (an operation name, a taskType) cannot grow /metrics without bound. The metric keeps
 * its prom-client API (callers need not know); inc/dec/set/observe/startTimer/labels map their labels.
 */
export function withClosedLabels<L extends string, M extends Counter<L> | Gauge<L> | Histogram<L>>(
  metric: M,
  domains: LabelDomains<L>,
): M {
  const target = metric as unknown as Record<string, Method | undefined> & { labelNames?: string[] };
  const close = (labels: unknown) =>
    isLabels(labels) ? closeLabelValues(domains, labels as LabelValues<L>) : labels;
  for (const name of ['inc', 'dec', 'set', 'observe']) {
    const original = target[name];
    if (original) target[name] = (first, ...rest) => original.call(metric, close(first), ...rest);
  }
  const startTimer = target.startTimer;
  if (startTimer) {
    target.startTimer = (labels) => {
      const end = startTimer.call(metric, close(labels)) as (more?: unknown) => number;
      return (more?: unknown) => end(close(more));
    };
  }
  const labels = target.labels;
  if (labels) {
    const names = (target.labelNames ?? []) as L[];
    target.labels = (...args) =>
      isLabels(args[0])
        ? labels.call(metric, close(args[0]))
        : labels.call(
            metric,
            ...args.map((value, i) => closedValue(domains[names[i] as L] ?? String, value as string)),
          );
  }
  return metric;
}
