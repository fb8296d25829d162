import type { ServiceKey } from '@photomaker/temporal';

// Workflow-safe, no Temporal imports: measured service times (how long a job held its slot) as
// exponential moving averages, so a queue position turns into an estimated start and finish.

/** Weight of the newest sample: ~the last 10 jobs of a key shape its average. */
const ALPHA = 0.2;
/** Keys kept per table; the least recently updated goes first (bounds the continueAsNew payload). */
const MAX_KEYS = 200;
/**
 * Samples an exact key needs before its own average is trusted. A worker's first job of a kind pays
 * one-time costs (2-3x its later jobs in the ETA bench): until then a key keeps its smallest sample, and
 * an estimate comes from the line through its model's better-known sizes (fitFor) when there is one.
 */
const TRUSTED = 3;
/** Samples of one key that count in a fit at most: a busy key does not make the line its own. */
const FIT_WEIGHT_CAP = 10;

interface Average {
  /** The moving average, ms (per job for exact keys, per image for models and the global one). */
  ms: number;
  /** Samples seen (capped), and when the entry last changed (a counter, for eviction). */
  n: number;
  at: number;
}

/** Plain data: carried across continueAsNew. */
export interface ServiceTimesState {
  /** `model|WxH|n` -> ms per job. */
  exact: Record<string, Average>;
  /** model -> ms per image. */
  model: Record<string, Average>;
  /** ms per image over every job. */
  global?: Average;
  tick: number;
}

export const emptyServiceTimes = (): ServiceTimesState => ({ exact: {}, model: {}, tick: 0 });

export function serviceKeyOf(key: ServiceKey): string {
  return `${key.model}|${key.width}x${key.height}|${key.numberResults}`;
}

function updated(previous: Average | undefined, sample: number, at: number, warming = false): Average {
  if (!previous) return { ms: sample, n: 1, at };
  const ms =
    warming && previous.n < TRUSTED
      ? Math.min(previous.ms, sample)
      : previous.ms + ALPHA * (sample - previous.ms);
  return { ms, n: Math.min(previous.n + 1, 1_000_000), at };
}

/** Weighted least squares of ms against images: the line, or undefined without two image counts. */
function fitLine(points: { images: number; ms: number; weight: number }[]): Line | undefined {
  let w = 0;
  let x = 0;
  let y = 0;
  let xx = 0;
  let xy = 0;
  for (const p of points) {
    w += p.weight;
    x += p.weight * p.images;
    y += p.weight * p.ms;
    xx += p.weight * p.images * p.images;
    xy += p.weight * p.images * p.ms;
  }
  const spread = w * xx - x * x;
  if (points.length < 2 || spread <= 0) return undefined;
  const slope = (w * xy - x * y) / spread;
  return { intercept: (y - slope * x) / w, slope };
}

interface Line {
  intercept: number;
  slope: number;
}

function evictOldest(table: Record<string, Average>): void {
  const keys = Object.keys(table);
  if (keys.length <= MAX_KEYS) return;
  let oldest = keys[0] as string;
  for (const key of keys) if ((table[key]?.at ?? 0) < (table[oldest]?.at ?? 0)) oldest = key;
  delete table[oldest];
}

/**
 * Service-time estimates: exact key (once trusted) -> the line through the same model and size's other
 * image counts -> exact key (few samples) -> same model any size (per image) -> global (per image) ->
 * default.
 */
export class ServiceTimes {
  readonly state: ServiceTimesState;
  private readonly defaultImageMs: number;
  /** Lines by `model|WxH|`, as of the tick they were fitted at. */
  private readonly lines = new Map<string, { tick: number; line: Line | undefined }>();

  constructor(state: ServiceTimesState, defaultImageMs: number) {
    this.state = state;
    this.defaultImageMs = defaultImageMs;
  }

  /** One finished job: it held its slot `ranMs`. Nonsense samples (negative, not finite) are ignored. */
  record(key: ServiceKey, ranMs: number): void {
    if (!Number.isFinite(ranMs) || ranMs < 0) return;
    const images = Math.max(1, key.numberResults);
    const s = this.state;
    s.tick += 1;
    const exact = serviceKeyOf(key);
    s.exact[exact] = updated(s.exact[exact], ranMs, s.tick, true);
    s.model[key.model] = updated(s.model[key.model], ranMs / images, s.tick);
    s.global = updated(s.global, ranMs / images, s.tick);
    evictOldest(s.exact);
    evictOldest(s.model);
  }

  /** Expected time a job of this key holds its slot, ms. */
  estimate(key: ServiceKey): number {
    const exact = this.state.exact[serviceKeyOf(key)];
    if (exact && exact.n >= TRUSTED) return exact.ms;
    const images = Math.max(1, key.numberResults);
    const line = this.fitFor(key);
    const fitted = line ? line.intercept + line.slope * images : 0;
    if (fitted > 0) return fitted;
    if (exact) return exact.ms;
    const perImage = this.state.model[key.model]?.ms ?? this.state.global?.ms ?? this.defaultImageMs;
    return perImage * images;
  }

  /**
   * Time against images for one model and size, through its keys with two samples or more (a key's
   * single first sample is the one most likely cold). Refitted when a sample came in since.
   */
  private fitFor(key: ServiceKey): Line | undefined {
    const prefix = `${key.model}|${key.width}x${key.height}|`;
    const known = this.lines.get(prefix);
    if (known?.tick === this.state.tick) return known.line;
    const points = Object.entries(this.state.exact)
      .filter(([k, average]) => k.startsWith(prefix) && average.n >= 2)
      .map(([k, average]) => ({
        images: Number(k.slice(prefix.length)),
        ms: average.ms,
        weight: Math.min(average.n, FIT_WEIGHT_CAP),
      }));
    const line = fitLine(points);
    // Asked-for shapes need not have samples (any model a request names): the memo stays bounded.
    if (this.lines.size >= MAX_KEYS) this.lines.clear();
    this.lines.set(prefix, { tick: this.state.tick, line });
    return line;
  }
}
