import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

/** What one stress class did to the API, measured from outside (health, RSS) and inside (event loop). */
export interface Vitals {
  healthChecks: number;
  healthFailures: number;
  /** Longest event-loop block the API reported on /healthz (`eventLoopDelayMaxMs`) during the class. */
  maxEventLoopBlockMs: number;
  maxRssMiB: number;
}

/** Resident set size of a process from /proc (Linux), in MiB; 0 when unreadable. */
export function rssMiB(pid: number | undefined, read = (path: string) => readFileSync(path, 'utf8')): number {
  if (!pid) return 0;
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(read(`/proc/${pid}/status`))?.[1];
    return kb ? Math.round((Number(kb) / 1024) * 10) / 10 : 0;
  } catch {
    return 0;
  }
}

/** A health check fails when /healthz does not answer 200 within this time (a load balancer's view). */
export const HEALTH_TIMEOUT_MS = 1_000;
const POLL_EVERY_MS = 200;

/**
 * Polls /healthz and the API's RSS while a class runs, on its own connection pool so the class's
 * connections never queue the probe. Each /healthz answer carries the longest event-loop block since the
 * previous one, so the max over the polls is the class's max block. Runs in its own thread
 * (monitor-thread.ts), so the fuzz's own work never delays a probe into a false failure.
 */
export class HealthProbe {
  private readonly agent = new Agent({ connections: 2, pipelining: 0 });
  private vitals: Vitals = { healthChecks: 0, healthFailures: 0, maxEventLoopBlockMs: 0, maxRssMiB: 0 };
  private running: Promise<void> | undefined;
  private stopping = false;

  private readonly apiUrl: string;
  private readonly apiPid: () => number | undefined;

  constructor(apiUrl: string, apiPid: () => number | undefined) {
    this.apiUrl = apiUrl;
    this.apiPid = apiPid;
  }

  /** One probe: a health check (counted unless `counted` is false), the block it reports, the RSS now. */
  async probe(counted = true, timeoutMs = HEALTH_TIMEOUT_MS): Promise<boolean> {
    if (counted) this.vitals.healthChecks += 1;
    this.vitals.maxRssMiB = Math.max(this.vitals.maxRssMiB, rssMiB(this.apiPid()));
    let ok = false;
    try {
      const response = await request(`${this.apiUrl}/healthz`, {
        dispatcher: this.agent,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.body.json().catch(() => ({}))) as { eventLoopDelayMaxMs?: unknown };
      ok = response.statusCode === 200;
      const block = Number(body.eventLoopDelayMaxMs ?? 0);
      if (Number.isFinite(block))
        this.vitals.maxEventLoopBlockMs = Math.max(this.vitals.maxEventLoopBlockMs, block);
    } catch {
      ok = false;
    }
    if (counted && !ok) this.vitals.healthFailures += 1;
    return ok;
  }

  /** Starts a new window (the first probe resets the API's event-loop max) and keeps probing. */
  async start(): Promise<void> {
    await this.probe();
    this.vitals = { healthChecks: 0, healthFailures: 0, maxEventLoopBlockMs: 0, maxRssMiB: 0 };
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        await this.probe();
        await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
      }
    })();
  }

  /**
   * Stops probing and returns the window. Waits (uncounted, up to `settleMs`) for one answer, which
   * reports a block still in progress, so the next class starts on an API that answers again.
   */
  async stop(settleMs = 60_000): Promise<Vitals> {
    this.stopping = true;
    await this.running;
    const until = Date.now() + settleMs;
    while (!(await this.probe(false, 5_000)) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
    }
    return { ...this.vitals };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
