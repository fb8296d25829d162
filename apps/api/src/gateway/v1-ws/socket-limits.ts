/**
 * Counts of open /v1 WebSockets per key (or per address) in this process: a slot is taken when a socket
 * is admitted and given back when it closes. `max` 0: no cap.
 */
export class SocketCounts {
  private readonly counts = new Map<string, number>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /** Takes a slot for `key`; false (nothing taken) when the key is at the cap. */
  take(key: string): boolean {
    const current = this.counts.get(key) ?? 0;
    if (this.max > 0 && current >= this.max) return false;
    this.counts.set(key, current + 1);
    return true;
  }

  release(key: string): void {
    const current = this.counts.get(key) ?? 0;
    if (current <= 1) this.counts.delete(key);
    else this.counts.set(key, current - 1);
  }
}

/**
 * Frames per second of one socket: a token bucket of `perSecond` tokens refilled continuously, so a
 * burst of `perSecond` frames passes and a sustained flood is refused frame by frame. 0: no limit.
 */
export class FrameBudget {
  private readonly perSecond: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(perSecond: number, now: () => number = Date.now) {
    this.perSecond = perSecond;
    this.tokens = perSecond;
    this.now = now;
    this.last = now();
  }

  take(): boolean {
    if (this.perSecond === 0) return true;
    const now = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
