import type { QueuePlace } from './job-progress.ts';

// How a queued job's place and estimates read: "2nd in line · starts in ~40 s, done ~1m10s".

/** A rough span: "~40 s", "~1m10s", "~2h05m" (estimates are not worth more precision). */
export function approx(ms: number): string {
  const s = Math.max(1, Math.round(ms / 1000));
  if (s < 60) return `~${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `~${m}m${String(s % 60).padStart(2, '0')}s`;
  return `~${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const SUFFIXES: Record<number, string> = { 1: 'st', 2: 'nd', 3: 'rd' };

export function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${SUFFIXES[n % 10] ?? 'th'}`;
}

/** The place ("next in line", "3rd in line") and the estimates, relative to `now`. */
export function queueLine(place: QueuePlace, now: number): { place: string; eta: string | undefined } {
  const where =
    place.position === null
      ? 'waiting for a slot'
      : place.position === 1
        ? 'next in line'
        : `${ordinal(place.position)} in line`;
  const parts: string[] = [];
  if (place.estimatedStartAt) {
    const in_ = Date.parse(place.estimatedStartAt) - now;
    parts.push(in_ > 500 ? `starts in ${approx(in_)}` : 'starts any moment');
  }
  if (place.estimatedFinishAt) {
    const in_ = Date.parse(place.estimatedFinishAt) - now;
    if (in_ > 0) parts.push(`done ${approx(in_)}`);
  }
  return { place: where, eta: parts.length > 0 ? parts.join(', ') : undefined };
}
