import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';

/** What one stress class did to the API, measured from outside (health, RSS) and inside (event loop). */
export interface Vitals {
  healthChecks: number;
  healthFailures: number;
  /** Longest event-loop block the API reported on /healthz (`eventLoopDelayMaxMs`) during the class. */
  maxEventLoopBlockMs: number;
  /** The API's RSS when the class began: V8 keeps what an earlier class grew, so growth is max - start. */
  startRssMiB: number;
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
/** A late answer is still awaited this long: it carries the block that made it late. */
const ANSWER_WAIT_MS = 120_000;
/** Probes in flight at most; a tick beyond that is a failed check (the API answers none of them). */
const MAX_IN_FLIGHT = 50;

const emptyVitals = (): Vitals => ({
  healthChecks: 0,
  healthFailures: 0,
  maxEventLoopBlockMs: 0,
  startRssMiB: 0,
  maxRssMiB: 0,
});

/**
 * Probes /healthz every 200 ms while a class runs (whether or not the previous probe answered), on its
 * own connection pool so the class's connections never queue a probe, and samples the API's RSS. A probe
 * slower than 1 s is a failed check, but its answer is still awaited: each /healthz answer carries the
 * longest event-loop block since the previous one, and the late one carries the block that made it late.
 * Runs in its own thread (monitor-thread.ts), so the fuzz's own work never delays a probe.
 */
export class HealthProbe {
  private readonly agent = new Agent({ connections: MAX_IN_FLIGHT, pipelining: 0 });
  private vitals = emptyVitals();
  private readonly inFlight = new Set<Promise<boolean>>();
  private ticker: NodeJS.Timeout | undefined;
  private readonly apiUrl: string;
  private readonly apiPid: () => number | undefined;

  constructor(apiUrl: string, apiPid: () => number | undefined) {
    this.apiUrl = apiUrl;
    this.apiPid = apiPid;
  }

  /** One probe: true when /healthz answered 200 within 1 s; notes the block it reports and the RSS. */
  async probe(): Promise<boolean> {
    this.vitals.maxRssMiB = Math.max(this.vitals.maxRssMiB, rssMiB(this.apiPid()));
    const began = performance.now();
    try {
      const response = await request(`${this.apiUrl}/healthz`, {
        dispatcher: this.agent,
        signal: AbortSignal.timeout(ANSWER_WAIT_MS),
      });
      const body = (await response.body.json().catch(() => ({}))) as { eventLoopDelayMaxMs?: unknown };
      const block = Number(body.eventLoopDelayMaxMs ?? 0);
      if (Number.isFinite(block))
        this.vitals.maxEventLoopBlockMs = Math.max(this.vitals.maxEventLoopBlockMs, block);
      return response.statusCode === 200 && performance.now() - began <= HEALTH_TIMEOUT_MS;
    } catch {
      return false;
    }
  }

  private tick(): void {
    this.vitals.healthChecks += 1;
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.vitals.healthFailures += 1;
      return;
    }
    const probe = this.probe().then((ok) => {
      if (!ok) this.vitals.healthFailures += 1;
      this.inFlight.delete(probe);
      return ok;
    });
    this.inFlight.add(probe);
  }

  /** Starts a new window (an uncounted probe first resets the API's event-loop max) and keeps probing. */
  async start(): Promise<void> {
    await this.probe();
    this.vitals = emptyVitals();
    this.vitals.startRssMiB = rssMiB(this.apiPid());
    this.tick();
    this.ticker = setInterval(() => this.tick(), POLL_EVERY_MS);
  }

  /**
   * Stops probing and returns the window once every probe has answered (or given up), then one more
   * (uncounted) answer, which reports a block still in progress; the next class starts on an API that
   * answers again.
   */
  async stop(): Promise<Vitals> {
    clearInterval(this.ticker);
    await Promise.all(this.inFlight);
    await this.probe();
    return { ...this.vitals };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
