/**
 * Concurrent generations per API key. A task is admitted whole or not at all: when the key already has
 * generations in flight and this task's would push it past the limit, it is refused (429 or 503 with
 * Retry-After). A key with nothing in flight is always admitted, so one task bigger than the limit can
 * still run (its own generations are bounded by the latency model's parallelism).
 */
export class Capacity {
  private readonly inFlight = new Map<string, number>();
  /** Most generations in flight at once (all keys) since start or reset: tests check a client's window. */
  private peakTotal = 0;
  maxPerKey: number;

  constructor(maxPerKey: number) {
    this.maxPerKey = maxPerKey;
  }

  tryAcquire(key: string, generations: number): boolean {
    const current = this.inFlight.get(key) ?? 0;
    if (current > 0 && current + generations > this.maxPerKey) return false;
    this.inFlight.set(key, current + generations);
    this.peakTotal = Math.max(this.peakTotal, this.active());
    return true;
  }

  release(key: string, generations = 1): void {
    const next = (this.inFlight.get(key) ?? 0) - generations;
    if (next <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, next);
  }

  active(key?: string): number {
    if (key !== undefined) return this.inFlight.get(key) ?? 0;
    let total = 0;
    for (const count of this.inFlight.values()) total += count;
    return total;
  }

  peak(): number {
    return this.peakTotal;
  }

  clear(): void {
    this.inFlight.clear();
    this.peakTotal = 0;
  }
}
