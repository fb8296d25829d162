/**
 * `Retry-After` as milliseconds to wait: delta-seconds ("120", tolerated as a decimal "1.5") or an
 * HTTP-date (RFC 9110 §10.2.3). A date in the past means 0; anything unreadable means no hint.
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (typeof header !== 'string') return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only date forms with a weekday/month name: Date.parse would also accept "-1" or "5 apples".
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
