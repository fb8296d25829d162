import { describe, expect, it } from 'vitest';
import { AddressLimits, addressKey } from '../src/auth/address-limits.ts';

function limits(options: Partial<ConstructorParameters<typeof AddressLimits>[0]> = {}) {
  let now = 1_000_000;
  const limiter = new AddressLimits({
    anonymousPoints: 3,
    freeFailures: 2,
    windowSeconds: 60,
    now: () => now,
    ...options,
  });
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('per-address limits of callers without a proven key', () => {
  it('keys IPv4 (also IPv4-mapped) as is and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });

  it('allows a number of requests without a key header per window, then refuses until it ends', () => {
    const { limiter, advance } = limits();
    for (let i = 0; i < 3; i++) expect(limiter.chargeAnonymous('a')).toEqual({ ok: true });
    expect(limiter.chargeAnonymous('a')).toEqual({ ok: false, retryAfterSeconds: 60 });
    expect(limiter.chargeAnonymous('b')).toEqual({ ok: true });
    advance(45_000);
    expect(limiter.chargeAnonymous('a')).toEqual({ ok: false, retryAfterSeconds: 15 });
    advance(15_000);
    expect(limiter.chargeAnonymous('a')).toEqual({ ok: true });
  });

  it('blocks an address after its free failures, doubling the block with every further failure', () => {
    const { limiter } = limits({ maxBlockSeconds: 8 });
    expect(limiter.recordFailure('a')).toEqual({ ok: true });
    expect(limiter.recordFailure('a')).toEqual({ ok: true });
    expect(limiter.blocked('a')).toEqual({ ok: true });
    const delays = [1, 2, 3, 4, 5].map(() => limiter.recordFailure('a'));
    expect(delays).toEqual([1, 2, 4, 8, 8].map((retryAfterSeconds) => ({ ok: false, retryAfterSeconds })));
    expect(limiter.blocked('a')).toEqual({ ok: false, retryAfterSeconds: 8 });
    expect(limiter.blocked('b')).toEqual({ ok: true });
  });

  it('forgives failures after a success outside a block, and forgets an address after its window', () => {
    const { limiter, advance } = limits();
    limiter.recordFailure('a');
    limiter.recordFailure('a');
    limiter.recordSuccess('a');
    expect(limiter.recordFailure('a')).toEqual({ ok: true });
    expect(limiter.recordFailure('a')).toEqual({ ok: true });
    expect(limiter.recordFailure('a').ok).toBe(false);
    // A success while blocked does not lift the block (it cannot happen through the gate anyway).
    limiter.recordSuccess('a');
    expect(limiter.blocked('a').ok).toBe(false);
    advance(61_000);
    expect(limiter.blocked('a')).toEqual({ ok: true });
    expect(limiter.recordFailure('a')).toEqual({ ok: true });
  });

  it('keeps memory bounded: beyond maxEntries the oldest address is forgotten', () => {
    const { limiter } = limits({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i++) limiter.recordFailure(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(100);
  });

  it('0 disables each limit', () => {
    const { limiter } = limits({ anonymousPoints: 0, freeFailures: 0 });
    for (let i = 0; i < 10; i++) {
      expect(limiter.chargeAnonymous('a')).toEqual({ ok: true });
      expect(limiter.recordFailure('a')).toEqual({ ok: true });
    }
    expect(limiter.blocked('a')).toEqual({ ok: true });
  });
});
