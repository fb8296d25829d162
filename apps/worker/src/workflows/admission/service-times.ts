import type { ServiceKey } from '@photomaker/temporal';

// Workflow-safe, no Temporal imports: measured service times (how long a job held its slot) as
// exponential moving averages, so a queue position turns into an estimated start and finish.

/** Weight of the newest sample: ~the last 10 jobs of a key shape its average. */
const ALPHA = 0.2;
/** Keys kept per table; the least recently updated goes first (bounds the continueAsNew payload). */
const MAX_KEYS = 200;

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

function updated(previous: Average | undefined, sample: number, at: number): Average {
  if (!previous) return { ms: sample, n: 1, at };
  return { ms: previous.ms + ALPHA * (sample - previous.ms), n: Math.min(previous.n + 1, 1_000_000), at };
}

function evictOldest(table: Record<string, Average>): void {
  const keys = Object.keys(table);
  if (keys.length <= MAX_KEYS) return;
  let oldest = keys[0] as string;
  for (const key of keys) if ((table[key]?.at ?? 0) < (table[oldest]?.at ?? 0)) oldest = key;
  delete table[oldest];
}

/** Service-time estimates: exact key -> same model any size (per image) -> global (per image) -> default. */
export class ServiceTimes {
  readonly state: ServiceTimesState;
  private readonly defaultImageMs: number;

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
    s.exact[exact] = updated(s.exact[exact], ranMs, s.tick);
    s.model[key.model] = updated(s.model[key.model], ranMs / images, s.tick);
    s.global = updated(s.global, ranMs / images, s.tick);
    evictOldest(s.exact);
    evictOldest(s.model);
  }

  /** Expected time a job of this key holds its slot, ms. */
  estimate(key: ServiceKey): number {
    const exact = this.state.exact[serviceKeyOf(key)];
    if (exact) return exact.ms;
    const images = Math.max(1, key.numberResults);
    const perImage = this.state.model[key.model]?.ms ?? this.state.global?.ms ?? this.defaultImageMs;
    return perImage * images;
  }
}
