import { nanoToUsd } from './cost.ts';

/** Requests, results and spend of one (UTC day, model, key) bucket; spend in nano-USD. */
interface Bucket {
  day: string;
  model: string;
  keyIndex: number;
  requests: number;
  results: number;
  spendNano: number;
}

export interface UsageTotals {
  requests: number;
  results: number;
  /** USD. */
  spend: number;
}

export interface UsageFilter {
  /** YYYY-MM-DD, both included. */
  startDate: string;
  endDate: string;
  models?: readonly string[] | undefined;
  keyIndexes?: readonly number[] | undefined;
}

export type UsageDimension = 'date' | 'model' | 'apiKey';

export interface UsageGroup extends UsageTotals {
  date: string;
  model?: string;
  keyIndex?: number;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * What the account was charged, as Runware's usage reports see it: per UTC day, model and API key, the
 * requests accepted (a photoMaker task counts once, when accepted), the results charged (one per image
 * generated) and their spend. Fed by the same calls that move the ledger, so its totals are the ledger's.
 * Bounded by days x models x keys, not by tasks.
 */
export class UsageBook {
  private readonly buckets = new Map<string, Bucket>();
  private readonly lastUsed = new Map<number, number>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  request(model: string, keyIndex: number): void {
    this.bucket(model, keyIndex).requests += 1;
    this.lastUsed.set(keyIndex, this.now());
  }

  charge(model: string, keyIndex: number, nano: number): void {
    const bucket = this.bucket(model, keyIndex);
    bucket.results += 1;
    bucket.spendNano += nano;
  }

  lastUsedAt(keyIndex: number): string | null {
    const at = this.lastUsed.get(keyIndex);
    return at === undefined ? null : new Date(at).toISOString();
  }

  /** Requests of one key over all time (getDetails' apiKeys). */
  keyRequests(keyIndex: number): number {
    let requests = 0;
    for (const bucket of this.buckets.values()) if (bucket.keyIndex === keyIndex) requests += bucket.requests;
    return requests;
  }

  /** Totals of the last `days` UTC days including today (undefined: all time). */
  totals(days?: number): UsageTotals {
    const today = dayOf(this.now());
    const from = days === undefined ? '' : dayOf(Date.parse(`${today}T00:00:00Z`) - (days - 1) * 86_400_000);
    return this.sum([...this.buckets.values()].filter((bucket) => bucket.day >= from));
  }

  /** Buckets in the filter, grouped by the given dimensions, sorted by date then model then key. */
  groups(filter: UsageFilter, by: readonly UsageDimension[]): UsageGroup[] {
    const grouped = new Map<string, { key: UsageGroup; members: Bucket[] }>();
    for (const bucket of this.buckets.values()) {
      if (!matches(bucket, filter)) continue;
      const key: UsageGroup = {
        date: by.includes('date') ? bucket.day : filter.startDate,
        requests: 0,
        results: 0,
        spend: 0,
        ...(by.includes('model') ? { model: bucket.model } : {}),
        ...(by.includes('apiKey') ? { keyIndex: bucket.keyIndex } : {}),
      };
      const id = `${key.date}\t${key.model ?? ''}\t${key.keyIndex ?? ''}`;
      const entry = grouped.get(id) ?? { key, members: [] };
      entry.members.push(bucket);
      grouped.set(id, entry);
    }
    return [...grouped.values()]
      .map(({ key, members }) => ({ ...key, ...this.sum(members) }))
      .sort(
        (a, b) =>
          a.date.localeCompare(b.date) ||
          (a.model ?? '').localeCompare(b.model ?? '') ||
          (a.keyIndex ?? 0) - (b.keyIndex ?? 0),
      );
  }

  clear(): void {
    this.buckets.clear();
    this.lastUsed.clear();
  }

  private sum(buckets: readonly Bucket[]): UsageTotals {
    let requests = 0;
    let results = 0;
    let nano = 0;
    for (const bucket of buckets) {
      requests += bucket.requests;
      results += bucket.results;
      nano += bucket.spendNano;
    }
    return { requests, results, spend: nanoToUsd(nano) };
  }

  private bucket(model: string, keyIndex: number): Bucket {
    const day = dayOf(this.now());
    const id = `${day}\t${model}\t${keyIndex}`;
    let bucket = this.buckets.get(id);
    if (!bucket) {
      bucket = { day, model, keyIndex, requests: 0, results: 0, spendNano: 0 };
      this.buckets.set(id, bucket);
    }
    return bucket;
  }
}

function matches(bucket: Bucket, filter: UsageFilter): boolean {
  if (bucket.day < filter.startDate || bucket.day > filter.endDate) return false;
  if (filter.models && filter.models.length > 0 && !filter.models.includes(bucket.model)) return false;
  if (filter.keyIndexes && !filter.keyIndexes.includes(bucket.keyIndex)) return false;
  return true;
}
