import { z } from 'zod';

/**
 * Rules shared by the env schemas of every process. Each message states the rule only: `parseEnv`
 * prefixes the variable's name, so a problem reads `WORKER_HTTP_PORT: must be at most 65535`.
 */

const atLeast = (min: number, max: number) =>
  max === Number.MAX_SAFE_INTEGER
    ? `must be an integer >= ${min}`
    : `must be an integer from ${min} to ${max}`;

/** A whole number in decimal digits, from `min` to `max`. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, { error: atLeast(min, max) })
    .transform(Number)
    .pipe(
      z
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const TCP_PORT = 'must be a TCP port number from 1 to 65535';

/** A port a service binds: 1 to 65535 (0, "any free port", is refused where the port must be known). */
export const tcpPort = z
  .string()
  .trim()
  .regex(/^[0-9]{1,5}$/, { error: TCP_PORT })
  .transform(Number)
  .pipe(z.int().min(1, { error: TCP_PORT }).max(65535, { error: TCP_PORT }));

/** A finite number of at least `min` (decimals allowed). */
export const decimal = (min = 0) =>
  z
    .string()
    .trim()
    .transform(Number)
    .pipe(
      z.number({ error: `must be a number >= ${min}` }).min(min, { error: `must be a number >= ${min}` }),
    );

/** A number above zero (decimals allowed). */
export const positiveNumber = z
  .string()
  .trim()
  .transform(Number)
  .pipe(z.number({ error: 'must be a number' }).positive({ error: 'must be a positive number' }));

const DURATION = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `500ms`, `2m`, `12h`, `7d`, or plain milliseconds; parses to milliseconds. */
export const duration = z
  .string()
  .trim()
  .regex(DURATION, { error: 'must be a duration such as 500ms, 30s, 2m, 12h, 7d (or milliseconds)' })
  .transform((text) => {
    const [, value, unit] = DURATION.exec(text) ?? [];
    return Math.round(Number(value) * (UNIT_MS[unit ?? 'ms'] ?? 1));
  });

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** An absolute http(s) URL. */
export const httpUrl = z.string().trim().refine(isHttpUrl, { error: 'must be an http(s) URL' });

export const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });

/** An HMAC secret: long enough that guessing it is not an attack. */
export const secretText = z.string().min(16, { error: 'must be at least 16 characters' });

/** One of a fixed set of words; the message lists them. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of: ${values.join(', ')}` });
