export interface LoopResult<T> {
  /** Results of operations that finished inside the measured window. */
  results: T[];
  /** Latency (ms) of each of those. */
  latencies: number[];
  errors: string[];
  /** Measured window (ms), warm-up excluded. */
  windowMs: number;
  /** Completions per second inside the window. */
  throughput: number;
}

/**
 * Closed-loop load: `concurrency` virtual clients, each starting its next operation when the last one
 * finishes, for warm-up + window. Only operations that start and finish inside the window count, so
 * throughput and latency describe the steady state at that concurrency.
 */
export async function closedLoop<T>(options: {
  concurrency: number;
  warmupMs: number;
  windowMs: number;
  /** Upper bound on operations per run (quick mode). */
  maxOps?: number;
  op: (index: number) => Promise<T>;
}): Promise<LoopResult<T>> {
  const results: T[] = [];
  const latencies: number[] = [];
  const errors: string[] = [];
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.windowMs;
  let started = 0;
  let measured = 0;
  const client = async () => {
    while (performance.now() < windowEnd && (options.maxOps === undefined || measured < options.maxOps)) {
      const index = started++;
      const t0 = performance.now();
      try {
        const result = await options.op(index);
        const t1 = performance.now();
        if (t0 >= windowStart && t1 <= windowEnd) {
          results.push(result);
          latencies.push(t1 - t0);
          measured += 1;
        }
      } catch (error) {
        errors.push((error as Error).message);
        if (errors.length > 50) throw new Error(`too many failures; the last: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  const windowMs = Math.min(options.windowMs, performance.now() - windowStart);
  return {
    results,
    latencies,
    errors,
    windowMs,
    throughput: (results.length * 1000) / Math.max(1, windowMs),
  };
}
