// Zod-free (the workflow imports @photomaker/schema/job): a job's `cancelAfter`, resolved once by the api
// into the absolute deadline the workflow races its work against.

export const CANCEL_AFTER_LIMITS = { minMs: 1000, maxMs: 24 * 3600 * 1000 } as const;

/** The `reason` of the `cancelled` event of a job whose deadline passed (status CANCELLED). */
export const DEADLINE_REASON = 'cancelAfter deadline passed';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** An ISO-8601 date-time with its offset: a time without one would depend on the server's zone. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export type CancelAfterResult = { ok: true; at: string } | { ok: false; message: string };

/**
 * `cancelAfter` is a duration ("90s", "10m", "1.5h", "500ms") from `now`, or an ISO-8601 time with an
 * offset; either way at least 1 s and at most 24 h after `now`. Returns the deadline as ISO-8601.
 */
export function resolveCancelAfter(value: string, now: number): CancelAfterResult {
  const text = value.trim();
  const duration = DURATION.exec(text);
  let at: number;
  if (duration) at = now + Number(duration[1]) * (UNIT_MS[duration[2] ?? 's'] ?? 1000);
  else if (ISO_TIME.test(text)) at = Date.parse(text);
  else at = Number.NaN;
  if (Number.isNaN(at)) {
    return {
      ok: false,
      message: `Invalid value for 'cancelAfter': it must be a duration like "90s", "10m" or "2h", or an ISO-8601 time with an offset.`,
    };
  }
  const ahead = at - now;
  if (ahead < CANCEL_AFTER_LIMITS.minMs || ahead > CANCEL_AFTER_LIMITS.maxMs) {
    return {
      ok: false,
      message: `Invalid value for 'cancelAfter': it must be at least 1 second and at most 24 hours ahead.`,
    };
  }
  return { ok: true, at: new Date(at).toISOString() };
}
