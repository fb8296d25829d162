import type { PieceName } from '@photomaker/harness';

export interface Disruption {
  /** Seconds from the start of the run. */
  at: number;
  target: PieceName;
  /** kill: SIGKILL then start again; restart: SIGTERM (clean shutdown, data persisted) then start. */
  how: 'kill' | 'restart';
}

/**
 * The disruptions of one run: the worker SIGKILLed every `killEvery` seconds (and started again), one API
 * SIGKILL + restart (subscribers must resume by seq), one redis-server restart on its AOF, one Temporal dev
 * server restart on its SQLite file — spread over the run so each lands while jobs are in flight.
 */
export function buildSchedule(durationSeconds: number, killEvery: number): Disruption[] {
  const out: Disruption[] = [];
  if (killEvery > 0) {
    for (let at = killEvery; at < durationSeconds; at += killEvery)
      out.push({ at, target: 'worker', how: 'kill' });
  }
  out.push({ at: Math.round(durationSeconds * 0.3), target: 'api', how: 'kill' });
  out.push({ at: Math.round(durationSeconds * 0.5), target: 'redis', how: 'restart' });
  out.push({ at: Math.round(durationSeconds * 0.7), target: 'temporal', how: 'restart' });
  // Two disruptions at the same second run one after the other.
  return out.sort((a, b) => a.at - b.at);
}
