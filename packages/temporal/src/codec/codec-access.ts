import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may use the codec endpoint. It decrypts and encrypts with the payload keys, so it needs a token
 * (no token configured: the endpoint is off) and answers browsers only from the origins listed (the
 * Temporal UI's). The UI can send no header of its own without its own auth, so the token may also be a
 * path segment: the endpoint URL the UI is given is `<base>/codec/<token>` and it posts to
 * `<base>/codec/<token>/decode`; the CLI can send `Authorization: Bearer <token>` to `<base>/codec/decode`.
 */
export type AllowedOrigins = readonly string[] | ((origin: string) => boolean);

export interface CodecRoute {
  action: 'decode' | 'encode';
  /** The token from the path (`<prefix>/<token>/<action>`), when the request carries it there. */
  pathToken?: string;
}

/** The endpoint a path names under `prefix`, or undefined for other paths. */
export function codecRoute(path: string, prefix: string): CodecRoute | undefined {
  if (!path.startsWith(`${prefix}/`)) return undefined;
  const rest = path.slice(prefix.length + 1).split('/');
  const action = rest.at(-1);
  if (action !== 'decode' && action !== 'encode') return undefined;
  if (rest.length === 1) return { action };
  if (rest.length === 2 && rest[0]) return { action, pathToken: decodeURIComponent(rest[0]) };
  return undefined;
}

/** Listed origins only (`*` for any); nothing listed: no browser origin (the CLI sends none). */
export function originAllowed(allowed: AllowedOrigins | undefined, origin: string): boolean {
  if (allowed === undefined) return false;
  if (typeof allowed === 'function') return allowed(origin);
  return allowed.includes('*') || allowed.includes(origin);
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The path token when the path has one, else the bearer header; compared in constant time. */
export function tokenAccepted(token: string, route: CodecRoute, authorization: string | undefined): boolean {
  const given = route.pathToken !== undefined ? `Bearer ${route.pathToken}` : (authorization ?? '');
  return timingSafeEqual(digest(given), digest(`Bearer ${token}`));
}
