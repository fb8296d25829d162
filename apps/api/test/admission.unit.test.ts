import { describe, expect, it } from 'vitest';
import { AdmissionGate } from '../src/auth/admission.ts';
import { ApiKeyStore } from '../src/auth/api-keys.ts';
import type { RateDecision } from '../src/guards/rate-limit.ts';
import { logger } from './support/in-process.ts';

const keys = new ApiKeyStore('acme:acme-key-123,globex:globex-key-456');

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
    const admitted = await admission.admit({ apiKey: 'globex-key-456', transport: 'v1' });
    expect(admitted).toEqual({ ok: true, principal: { tenant: 'globex', keyId: expect.any(String) } });
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
    expect(await admission.admit({ apiKey: 'acme-key-999', transport: 'ws' })).toEqual({
      ok: false,
      refusal: { kind: 'unauthenticated', reason: 'invalid-key' },
    });
  });

  it('refuses an exhausted key with its retry delay, and counts it', async () => {
    const { admission, limited } = gate(async () => ({ ok: false, retryAfterSeconds: 7 }));
    expect(await admission.admit({ apiKey: 'acme-key-123', transport: 'http' })).toEqual({
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
      expect(await admission.admit({ apiKey: 'acme-key-123', transport })).toEqual({
        ok: false,
        refusal: { kind: 'unavailable' },
      });
      expect(limited()).toBe(0);
    },
  );
});
