import { describe, expect, it } from 'vitest';
import { AddressLimits } from '../src/auth/address-limits.ts';
import { AdmissionGate } from '../src/auth/admission.ts';
import { ApiKeyStore } from '../src/auth/api-keys.ts';
import type { RateDecision } from '../src/guards/rate-limit.ts';
import { logger } from './support/in-process.ts';

const keys = new ApiKeyStore(
  'acme:acme-key-123-0123456789abcdefghijklmn,globex:globex-key-456-0123456789abcdefghijklmn',
);

function gate(consume: (keyId: string) => Promise<RateDecision>) {
  let limited = 0;
  const admission = new AdmissionGate({
    keys,
    limiter: { consume },
    onRateLimited: () => {
      limited++;
    },
    logger,
  });
  return { admission, limited: () => limited };
}

describe('admission: key -> principal -> rate limit, one policy for every transport', () => {
  it('admits a known key as its tenant, charging the key (not the tenant) once', async () => {
    const charged: string[] = [];
    const { admission } = gate(async (keyId) => {
      charged.push(keyId);
      return { ok: true };
    });
    const admitted = await admission.admit({
      apiKey: 'globex-key-456-0123456789abcdefghijklmn',
      transport: 'v1',
    });
    expect(admitted).toEqual({
      ok: true,
      principal: { tenant: 'globex', keyId: expect.any(String), limits: {} },
    });
    expect(charged).toEqual([admitted.ok ? admitted.principal.keyId : '']);
  });

  it('tells a missing key from an invalid one, and charges neither', async () => {
    const { admission } = gate(async () => {
      throw new Error('must not be charged');
    });
    expect(await admission.admit({ apiKey: undefined, transport: 'http' })).toEqual({
      ok: false,
      refusal: { kind: 'unauthenticated', reason: 'missing-key' },
    });
    expect(
      await admission.admit({ apiKey: 'acme-key-999-0123456789abcdefghijklmn', transport: 'ws' }),
    ).toEqual({
      ok: false,
      refusal: { kind: 'unauthenticated', reason: 'invalid-key' },
    });
  });

  it('refuses an exhausted key with its retry delay, and counts it', async () => {
    const { admission, limited } = gate(async () => ({ ok: false, retryAfterSeconds: 7 }));
    expect(
      await admission.admit({ apiKey: 'acme-key-123-0123456789abcdefghijklmn', transport: 'http' }),
    ).toEqual({
      ok: false,
      refusal: { kind: 'rate-limited', retryAfterSeconds: 7 },
    });
    expect(limited()).toBe(1);
  });

  it.each(['http', 'ws', 'v1'] as const)(
    'fails closed on %s when the limiter itself fails',
    async (transport) => {
      const { admission, limited } = gate(async () => {
        throw new Error('redis and the insurance limiter are gone');
      });
      expect(await admission.admit({ apiKey: 'acme-key-123-0123456789abcdefghijklmn', transport })).toEqual({
        ok: false,
        refusal: { kind: 'unavailable' },
      });
      expect(limited()).toBe(0);
    },
  );
});

describe('admission by address: before any key is known', () => {
  const valid = 'acme-key-123-0123456789abcdefghijklmn';
  function addressGate() {
    const charged: string[] = [];
    const admission = new AdmissionGate({
      keys,
      addresses: new AddressLimits({ anonymousPoints: 2, freeFailures: 2, windowSeconds: 60 }),
      limiter: {
        consume: async (keyId) => {
          charged.push(keyId);
          return { ok: true };
        },
      },
      onRateLimited: () => undefined,
      logger,
    });
    return { admission, charged };
  }

  it('blocks an address after repeated failures (missing or wrong keys), even for a valid key, with a growing wait', async () => {
    const { admission, charged } = addressGate();
    const from = (apiKey: string | undefined, ip = '203.0.113.9') =>
      admission.admit({ apiKey, transport: 'v1', ip });
    expect((await from(undefined)).ok).toBe(false);
    expect(await from('wrong-key')).toEqual({
      ok: false,
      refusal: { kind: 'unauthenticated', reason: 'invalid-key' },
    });
    const waits = [];
    for (let i = 0; i < 3; i++) {
      const refused = await from(i === 2 ? valid : 'wrong-key');
      waits.push(
        refused.ok ? 0 : refused.refusal.kind === 'address-limited' ? refused.refusal.retryAfterSeconds : -1,
      );
    }
    expect(waits).toEqual([1, 2, 4]);
    expect(charged).toEqual([]);
    // Another address is not affected, and its success resets nothing of the first.
    expect((await from(valid, '203.0.113.10')).ok).toBe(true);
    expect((await from(valid)).ok).toBe(false);
  });

  it('treats an IPv4-mapped address as the IPv4 address', async () => {
    const { admission } = addressGate();
    for (let i = 0; i < 3; i++)
      await admission.admit({ apiKey: 'wrong', transport: 'http', ip: '198.51.100.1' });
    const mapped = await admission.admit({ apiKey: valid, transport: 'ws', ip: '::ffff:198.51.100.1' });
    expect(mapped).toMatchObject({ ok: false, refusal: { kind: 'address-limited', reason: 'failed-auth' } });
  });

  it('charges requests without a key header per address', () => {
    const { admission } = addressGate();
    expect(admission.admitAnonymous('192.0.2.1')).toEqual({ ok: true });
    expect(admission.admitAnonymous('192.0.2.1')).toEqual({ ok: true });
    expect(admission.admitAnonymous('192.0.2.1')).toEqual({
      ok: false,
      refusal: { kind: 'address-limited', reason: 'anonymous', retryAfterSeconds: 60 },
    });
    expect(admission.admitAnonymous('192.0.2.2')).toEqual({ ok: true });
  });
});
