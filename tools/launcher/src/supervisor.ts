import type { ManagedProcess } from '@photomaker/harness';
import type { LogFiles } from './log-files.ts';
import type { Reporter } from './reporter.ts';
import type { StackStateFile } from './state-file.ts';

/** A running service, whatever started it (services kit: Temporal, Redis, a Node app). */
export interface Started {
  process: ManagedProcess;
  url?: string;
  stop(graceMs?: number): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  /** What the progress line says while it starts. */
  describe: string;
  /** What the progress line says once it is up. */
  summary(started: Started): string;
  start(onLine: (line: string) => void): Promise<Started>;
  /** SIGTERM, then SIGKILL after this long. */
  stopGraceMs: number;
}

/**
 * Restart policy, once the stack is ready: a crashed service is restarted with exponential backoff
 * (1 s, 2 s, 4 s … 30 s): every piece is built to survive a peer's restart (Temporal resumes workflows,
 * the API resumes event streams, Redis keeps its AOF), so a restart is the recovery users expect from a
 * supervisor. A service that crashes CRASH_LIMIT times within CRASH_WINDOW_MS is broken, not unlucky: the
 * launcher stops everything and shows its log tail rather than looping. Before the stack is ready the
 * policy is fail-fast: a crash at start is almost always configuration, and a loop would hide it.
 */
export const CRASH_LIMIT = 5;
const CRASH_WINDOW_MS = 120_000;
const MAX_BACKOFF_MS = 30_000;

interface Slot {
  spec: ServiceSpec;
  started?: Started;
  crashes: number[];
  restartTimer?: NodeJS.Timeout;
}

export class Supervisor {
  private readonly slots: Slot[] = [];
  private readonly reporter: Reporter;
  private readonly logs: LogFiles;
  private readonly state: StackStateFile;
  private readonly onFatal: (message: string) => void;
  private readonly restartDelayMs: (crashes: number) => number;
  private supervising = false;
  private stopping = false;

  constructor(options: {
    reporter: Reporter;
    logs: LogFiles;
    state: StackStateFile;
    onFatal: (message: string) => void;
    /** Backoff before restart number `crashes` (tests shorten it). */
    restartDelayMs?: (crashes: number) => number;
  }) {
    this.restartDelayMs =
      options.restartDelayMs ?? ((crashes) => Math.min(1000 * 2 ** (crashes - 1), MAX_BACKOFF_MS));
    this.reporter = options.reporter;
    this.logs = options.logs;
    this.state = options.state;
    this.onFatal = options.onFatal;
  }

  /** Starts the services of one group in parallel; once all settled, rejects with every failure. */
  async startGroup(specs: ServiceSpec[]): Promise<void> {
    const results = await Promise.allSettled(specs.map((spec) => this.startOne(spec)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length === 1) throw failed[0]?.reason;
    if (failed.length > 1) {
      throw new ServiceStartError(
        failed.map((f) => (f.reason as ServiceStartError).service).join(' and '),
        undefined,
        failed.map((f) => (f.reason as Error).message).join('\n'),
      );
    }
  }

  get(name: string): Started | undefined {
    return this.slots.find((slot) => slot.spec.name === name)?.started;
  }

  /** From now on a crash means restart, not failure. */
  superviseFromNowOn(): void {
    this.supervising = true;
  }

  private async startOne(spec: ServiceSpec): Promise<void> {
    const slot: Slot = { spec, crashes: [] };
    this.slots.push(slot);
    const step = this.reporter.step(spec.name, spec.describe);
    try {
      await this.launch(slot);
      step.done(spec.summary(slot.started as Started));
    } catch (error) {
      step.fail(`${spec.describe}: failed`);
      throw new ServiceStartError(spec.name, this.logs.path(spec.name), error);
    }
  }

  private async launch(slot: Slot): Promise<void> {
    const { spec } = slot;
    this.logs.mark(spec.name, `starting ${spec.name}`);
    const started = await spec.start((line) => {
      this.logs.write(spec.name, line);
      this.reporter.serviceLine(spec.name, line);
    });
    slot.started = started;
    this.state.setChild(spec.name, started.process.pid);
    void started.process.exited.then(({ code, signal }) => this.exited(slot, started, code, signal));
  }

  private exited(slot: Slot, started: Started, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || slot.started !== started) return;
    const { spec } = slot;
    this.state.removeChild(spec.name);
    this.logs.mark(spec.name, `${spec.name} exited (code ${code}, signal ${signal})`);
    // During startup the pending start (or the readiness check) reports it: fail fast.
    if (this.supervising)
      this.crashed(slot, `exited (code ${code}, signal ${signal})`, started.process.tail(12));
  }

  private crashed(slot: Slot, what: string, tail: string): void {
    const { spec } = slot;
    const now = Date.now();
    slot.crashes = [...slot.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    const details = `Last lines:\n${indent(tail)}\n  full log: ${this.logs.path(spec.name)}`;
    if (slot.crashes.length >= CRASH_LIMIT) {
      this.onFatal(
        `${spec.name} failed ${slot.crashes.length} times within ${CRASH_WINDOW_MS / 1000} s (last: ${what}); stopping the stack. ${details}`,
      );
      return;
    }
    const delay = this.restartDelayMs(slot.crashes.length);
    this.reporter.warn(`${spec.name} ${what}; restarting in ${delay / 1000} s. ${details}`);
    slot.restartTimer = setTimeout(() => void this.restart(slot), delay);
  }

  private async restart(slot: Slot): Promise<void> {
    if (this.stopping) return;
    const step = this.reporter.step(slot.spec.name, `restarting: ${slot.spec.describe}`);
    try {
      await this.launch(slot);
      step.done(`restarted: ${slot.spec.summary(slot.started as Started)}`);
    } catch (error) {
      step.fail('restart failed');
      this.crashed(slot, 'failed to restart', String((error as Error)?.message ?? error));
    }
  }

  /** Stops every service in the reverse order of start. */
  async stopAll(log = true): Promise<void> {
    this.stopping = true;
    for (const slot of [...this.slots].reverse()) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      const started = slot.started;
      if (!started?.process.running) continue;
      const step = log ? this.reporter.step(slot.spec.name, 'stopping') : undefined;
      await started.stop(slot.spec.stopGraceMs);
      const { code, signal } = await started.process.exited;
      this.state.removeChild(slot.spec.name);
      const how =
        signal === 'SIGKILL'
          ? `killed: it did not stop within ${slot.spec.stopGraceMs / 1000} s of SIGTERM`
          : `stopped${code ? ` (exit code ${code})` : ''}`;
      this.logs.mark(slot.spec.name, `${slot.spec.name} ${how}`);
      step?.done(how);
    }
  }

  /** Second Ctrl-C: no more waiting. */
  async killAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.slots.map((slot) => slot.started?.process.kill()));
  }
}

export class ServiceStartError extends Error {
  readonly service: string;
  constructor(service: string, logFile: string | undefined, cause: unknown) {
    const detail = String((cause as Error)?.message ?? cause);
    super(
      logFile
        ? `${service} did not start: ${indent(detail, '    ').trimStart()}\n  full log: ${logFile}`
        : detail,
    );
    this.name = 'ServiceStartError';
    this.service = service;
  }
}

function indent(text: string, pad = '    | '): string {
  return text
    .split('\n')
    .map((line) => `${pad}${line}`)
    .join('\n');
}
