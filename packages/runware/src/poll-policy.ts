/** getResponse cadence: first poll after `initialDelayMs`, then x`factor` up to `maxDelayMs`. */
export interface PollPolicy {
  initialDelayMs: number;
  factor: number;
  maxDelayMs: number;
  /**
   * How long after a watch starts `taskNotFound` still counts as transient: the task was accepted, and
   * Runware may answer before its state is readable. Past it, `taskNotFound` is final.
   */
  notFoundGraceMs: number;
}

export const DEFAULT_POLL: PollPolicy = {
  initialDelayMs: 250,
  factor: 1.5,
  maxDelayMs: 5_000,
  notFoundGraceMs: 10_000,
};

/** The delay before poll n (0-based): initial x factor^n, capped. */
export function pollDelay(policy: PollPolicy, poll: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** poll);
}
