import { describe, expect, it } from 'vitest';
import { signBlobPath, verifyBlobPath } from '../src/index.ts';

const sha = 'ab'.repeat(32);
const secret = 'test-secret';

function split(path: string) {
  const url = new URL(path, 'http://x');
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}

describe('signed blob paths', () => {
  it('signs and verifies', () => {
    const signed = split(signBlobPath(sha, 'image/webp', { secret, now: 1000, ttlSeconds: 60 }));
    expect(signed.path).toBe(`/images/${sha}.webp`);
    expect(verifyBlobPath(signed.path, signed.query, { secret, now: 1059 })).toEqual({
      ok: true,
      sha256: sha,
    });
  });

  it('refuses expired, tampered and foreign-secret URLs', () => {
    const signed = split(signBlobPath(sha, 'image/jpeg', { secret, now: 1000, ttlSeconds: 60 }));
    expect(verifyBlobPath(signed.path, signed.query, { secret, now: 1061 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyBlobPath(signed.path, { ...signed.query, exp: '9999' }, { secret, now: 1000 })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyBlobPath(signed.path, signed.query, { secret: 'other', now: 1000 })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyBlobPath('/images/../../etc', signed.query, { secret })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
