import { createHmac, timingSafeEqual } from 'node:crypto';
import { assertSha256 } from './blob-store.ts';

/**
 * Capability URLs for blobs served over HTTP (`/images/<sha256>.<ext>?exp=&sig=`): a browser <img> can't
 * send a bearer token, so the URL itself carries an expiring HMAC. The API serves them; the worker signs
 * the same way for webhook bodies, given the same secret (PHOTOMAKER_URL_SECRET).
 */
export interface SignOptions {
  secret: string;
  /** Lifetime in seconds (default 7 days). */
  ttlSeconds?: number;
  /** Unix seconds; injectable for tests. */
  now?: number;
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export function extensionFor(mediaType: string): string {
  return EXTENSIONS[mediaType] ?? 'bin';
}

function signature(secret: string, sha256: string, exp: number): string {
  return createHmac('sha256', secret).update(`${sha256}.${exp}`).digest('base64url');
}

export function signBlobPath(sha256: string, mediaType: string, options: SignOptions): string {
  assertSha256(sha256);
  const exp = (options.now ?? Math.floor(Date.now() / 1000)) + (options.ttlSeconds ?? 7 * 24 * 3600);
  return `/images/${sha256}.${extensionFor(mediaType)}?exp=${exp}&sig=${signature(options.secret, sha256, exp)}`;
}

export type VerifyResult =
  | { ok: true; sha256: string }
  | { ok: false; reason: 'malformed' | 'expired' | 'bad-signature' };

/** Checks `/images/<sha256>.<ext>` with its `exp` and `sig` query values (constant-time compare). */
export function verifyBlobPath(
  path: string,
  query: { exp?: unknown; sig?: unknown },
  options: { secret: string; now?: number },
): VerifyResult {
  const match = /^\/images\/([0-9a-f]{64})\.[a-z]+$/.exec(path);
  const exp = Number(query.exp);
  if (!match?.[1] || !Number.isInteger(exp) || typeof query.sig !== 'string')
    return { ok: false, reason: 'malformed' };
  if (exp < (options.now ?? Math.floor(Date.now() / 1000))) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(signature(options.secret, match[1], exp));
  const given = Buffer.from(query.sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-signature' };
  return { ok: true, sha256: match[1] };
}
