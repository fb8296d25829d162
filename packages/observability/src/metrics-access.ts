import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What the API and the worker read to protect their /metrics (both env schemas spread it). */
export const metricsTokenEnv = z.object({
  PHOTOMAKER_METRICS_TOKEN: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional()
    .describe('Bearer token `/metrics` requires (`Authorization: Bearer <token>`)')
    .meta({
      secret: true,
      defaultText: 'unset: the API serves no /metrics; the worker serves it on its private port',
    }),
});

export type MetricsAccess = { ok: true } | { ok: false; status: 401 | 404; message: string };

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether a scrape may read /metrics. With a token: only `Authorization: Bearer <token>` (compared in
 * constant time). Without one: `open` decides (the worker's private port) or /metrics is not served.
 */
export function metricsAccess(
  authorization: string | undefined,
  token: string | undefined,
  open: boolean,
): MetricsAccess {
  if (token === undefined) {
    return open
      ? { ok: true }
      : { ok: false, status: 404, message: '/metrics is off: set PHOTOMAKER_METRICS_TOKEN to serve it' };
  }
  // Hashing first makes the comparison constant-time whatever the header's length.
  if (timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${token}`))) return { ok: true };
  return {
    ok: false,
    status: 401,
    message: '/metrics needs Authorization: Bearer <PHOTOMAKER_METRICS_TOKEN>',
  };
}
