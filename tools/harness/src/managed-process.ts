import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface SpawnOptions {
  /** Short name used in error messages and log prefixes. */
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with every output line (stdout and stderr). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Lines kept for error reports. */
  keepLines?: number;
}

/**
 * The child died before it became ready. On a busy machine that is usually a lost port race (a port
 * picked free and bound a moment later by someone else), so starters retry on this error alone.
 */
export class ExitedBeforeReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExitedBeforeReadyError';
  }
}

/** Runs `start` again (up to `attempts` times in all) when its child exited before it was ready. */
export async function retryOnEarlyExit<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof ExitedBeforeReadyError) || attempt >= attempts) throw error;
    }
  }
}

const live = new Set<ManagedProcess>();
let hooked = false;

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

// Tests and the launcher must stop what they start, even when they die early: at exit, and when a
// signal would end the process without one (a SIGTERM to a bench, not to its process group, left its
// servers running). A host with its own handler for that signal (a graceful stop) keeps it.
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const child of live) child.child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const [signal, number] of Object.entries(SIGNALS)) {
    process.on(signal, function onSignal(this: unknown) {
      if (process.listeners(signal as NodeJS.Signals).some((listener) => listener !== onSignal)) return;
      killAll();
      process.exit(128 + number);
    });
  }
}

/** A child process we own: output captured, waitable readiness, stopped with SIGTERM then SIGKILL. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly name: string;
  private readonly recent: string[] = [];
  private readonly keep: number;
  private readonly waiters = new Set<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(options: SpawnOptions) {
    hookExit();
    this.name = options.name;
    this.keep = options.keepLines ?? 200;
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    this.exited = once(this.child, 'exit').then(([code, signal]) => {
      live.delete(this);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = this.child[stream];
      if (!source) continue;
      createInterface({ input: source }).on('line', (line) => {
        this.recent.push(line);
        if (this.recent.length > this.keep) this.recent.shift();
        options.onLine?.(line, stream);
        for (const waiter of this.waiters) {
          const match = line.match(waiter.pattern);
          if (match) {
            this.waiters.delete(waiter);
            waiter.resolve(match);
          }
        }
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of output, for error messages. */
  tail(lines = 40): string {
    return this.recent.slice(-lines).join('\n');
  }

  /** Resolves with the first output line matching `pattern`; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    const existing = this.recent.map((line) => line.match(pattern)).find(Boolean);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter = { pattern, resolve };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.name}: no line matching ${pattern} within ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
      waiter.resolve = (match) => {
        clearTimeout(timer);
        resolve(match);
      };
      this.waiters.add(waiter);
      void this.exited.then(({ code, signal }) => {
        if (!this.waiters.has(waiter)) return;
        this.waiters.delete(waiter);
        clearTimeout(timer);
        reject(
          new ExitedBeforeReadyError(
            `${this.name} exited (code ${code}, signal ${signal}) before ready\n${this.tail()}`,
          ),
        );
      });
    });
  }

  /** Polls `check` until it resolves true; fails early when the process exits. */
  async waitUntil(check: () => Promise<boolean>, timeoutMs = 60_000, intervalMs = 100): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running)
        throw new ExitedBeforeReadyError(`${this.name} exited before it was ready\n${this.tail()}`);
      if (await check().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    throw new Error(`${this.name} not ready within ${timeoutMs} ms\n${this.tail()}`);
  }

  /**
   * Awaits a readiness wait; when it fails the child is killed before the error propagates, so a
   * timed-out start never leaves a half-started server holding its port.
   */
  async readyOrKill<T>(wait: Promise<T>): Promise<T> {
    try {
      return await wait;
    } catch (error) {
      await this.kill();
      throw error;
    }
  }

  /** SIGKILL at once: what the chaos and crash tests use. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return void (await this.exited);
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
