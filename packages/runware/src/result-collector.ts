import type { PhotoMakerResult } from '@photomaker/schema';

/** Keeps each image once, in the order it first appeared, whatever polls or frames repeat it. */
export class ResultCollector {
  private readonly seen = new Set<string>();
  readonly results: PhotoMakerResult[] = [];

  /**
   * The images in batch order: Runware gives image i the seed `seed + i`, so seed order is batch order
   * whatever order they finished in (ties keep arrival order).
   */
  inBatchOrder(): PhotoMakerResult[] {
    const key = (result: PhotoMakerResult) =>
      /^[0-9]+$/.test(result.seed) ? BigInt(result.seed) : undefined;
    return this.results
      .map((result, arrival) => ({ result, arrival, seed: key(result) }))
      .sort((a, b) => {
        if (a.seed === undefined || b.seed === undefined || a.seed === b.seed) return a.arrival - b.arrival;
        return a.seed < b.seed ? -1 : 1;
      })
      .map(({ result }) => result);
  }

  /** Adds new images; returns only the ones not seen before, each with its 0-based arrival position. */
  add(results: Iterable<PhotoMakerResult>): { result: PhotoMakerResult; index: number }[] {
    const fresh: { result: PhotoMakerResult; index: number }[] = [];
    for (const result of results) {
      if (this.seen.has(result.imageUUID)) continue;
      this.seen.add(result.imageUUID);
      this.results.push(result);
      fresh.push({ result, index: this.results.length - 1 });
    }
    return fresh;
  }
}
