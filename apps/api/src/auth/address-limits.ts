import { isIPv4 } from 'node:net';

/**
 * Per-address limits for callers that have not proven a key: requests without a key header (the /v1
 * body-authentication path, which must read a body to find the key) and failed authentications, with a
 * growing block on repeated failures. Counted in this process's memory: the check runs before any body
 * byte or Redis round-trip, and a replica that forgets on restart only hands an attacker a fresh, small
 * allowance.
 */
export interface AddressLimitsOptions {
  /** Requests without a key header per address per window; 0 disables. */
  anonymousPoints: number;
  /** Failed authentications per address per window before the block starts; 0 disables blocking. */
  freeFailures: number;
  windowSeconds: number;
  /** The first block; each further failure doubles it, up to `maxBlockSeconds`. */
  baseBlockSeconds?: number;
  maxBlockSeconds?: number;
  /** Addresses tracked at once; the oldest entry is forgotten beyond this (memory stays bounded). */
  maxEntries?: number;
  now?: () => number;
}

export type AddressDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Entry {
  windowStart: number;
  anonymous: number;
  failures: number;
  blockedUntil: number;
}

/**
 * The address a limit is kept for: IPv4 as is (also when IPv4-mapped), IPv6 by its /64, the block one
 * subscriber usually holds, so rotating addresses inside it earns nothing.
 */
export function addressKey(remote: string | undefined): string {
  if (!remote) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote)?.[1];
  if (mapped) return mapped;
  if (isIPv4(remote) || !remote.includes(':')) return remote;
  const [head = '', tail] = remote.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class AddressLimits {
  private readonly entries = new Map<string, Entry>();
  private readonly options: Required<AddressLimitsOptions>;

  constructor(options: AddressLimitsOptions) {
    this.options = {
      baseBlockSeconds: 1,
      maxBlockSeconds: 900,
      maxEntries: 100_000,
      now: Date.now,
      ...options,
    };
  }

  private entry(address: string): Entry {
    const now = this.options.now();
    const windowMs = this.options.windowSeconds * 1000;
    let entry = this.entries.get(address);
    if (entry && now - entry.windowStart >= windowMs && now >= entry.blockedUntil) {
      this.entries.delete(address);
      entry = undefined;
    }
    if (!entry) {
      entry = { windowStart: now, anonymous: 0, failures: 0, blockedUntil: 0 };
      if (this.entries.size >= this.options.maxEntries) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      this.entries.set(address, entry);
    }
    return entry;
  }

  private retryAfter(until: number): AddressDecision {
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((until - this.options.now()) / 1000)) };
  }

  /** Whether the address is blocked for failed authentications (checked before any key is compared). */
  blocked(address: string): AddressDecision {
    const entry = this.entries.get(address);
    if (!entry || this.options.now() >= entry.blockedUntil) return { ok: true };
    return this.retryAfter(entry.blockedUntil);
  }

  /** One request without a key header from `address`. */
  chargeAnonymous(address: string): AddressDecision {
    if (this.options.anonymousPoints <= 0) return { ok: true };
    const entry = this.entry(address);
    entry.anonymous += 1;
    if (entry.anonymous <= this.options.anonymousPoints) return { ok: true };
    return this.retryAfter(entry.windowStart + this.options.windowSeconds * 1000);
  }

  /**
   * One failed authentication. Past the free ones, each failure blocks the address for twice as long as
   * the one before (1 s, 2 s, 4 s, ... up to the maximum): a guesser that ignores Retry-After only makes
   * its own wait longer.
   */
  recordFailure(address: string): AddressDecision {
    if (this.options.freeFailures <= 0) return { ok: true };
    const entry = this.entry(address);
    entry.failures += 1;
    const excess = entry.failures - this.options.freeFailures;
    if (excess <= 0) return { ok: true };
    const { baseBlockSeconds, maxBlockSeconds } = this.options;
    const seconds = Math.min(maxBlockSeconds, baseBlockSeconds * 2 ** Math.min(excess - 1, 30));
    entry.blockedUntil = this.options.now() + seconds * 1000;
    return this.retryAfter(entry.blockedUntil);
  }

  /** A key was proven from `address`: its earlier failures are forgiven. */
  recordSuccess(address: string): void {
    const entry = this.entries.get(address);
    if (entry && entry.blockedUntil <= this.options.now()) entry.failures = 0;
  }

  get size(): number {
    return this.entries.size;
  }
}
