import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcessRecord {
  pid: number;
  /** /proc/<pid>/cmdline when we started it: a recycled pid has a different one, so we never kill a stranger. */
  cmdline: string;
}

interface StateShape {
  supervisor: ProcessRecord;
  startedAt: string;
  children: Record<string, ProcessRecord>;
}

export class AlreadyRunningError extends Error {
  constructor(pid: number, dataDir: string) {
    super(
      `another PhotoMaker stack (pid ${pid}) is already running with data dir ${dataDir}: stop it first (Ctrl-C in its terminal, or kill ${pid}), or start this one with another --data-dir and other ports`,
    );
    this.name = 'AlreadyRunningError';
  }
}

export function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stillOurs(record: ProcessRecord): boolean {
  return alive(record.pid) && cmdlineOf(record.pid) === record.cmdline;
}

/** The state a previous launcher left, or undefined when there is none or it is unreadable. */
function readState(file: string): StateShape | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StateShape;
  } catch {
    return undefined;
  }
}

/** SIGTERM, up to 5 s to exit, then SIGKILL. */
async function stop(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Stops the recorded children that are still ours, newest first; returns what it stopped. */
async function stopLeftovers(children: Record<string, ProcessRecord>): Promise<string[]> {
  const cleaned: string[] = [];
  // Newest first: the reverse of start order, as a clean stop would have done.
  for (const [name, record] of Object.entries(children).reverse()) {
    if (!stillOurs(record)) continue;
    cleaned.push(`${name} (pid ${record.pid})`);
    await stop(record.pid);
  }
  return cleaned;
}

/**
 * `<data dir>/stack.json`: which launcher owns this data dir and the processes it started. It refuses a
 * second launcher on the same data (two Temporal servers on one SQLite file corrupt it), and cleans up
 * what a launcher killed with SIGKILL left behind so its ports are free again.
 */
export class StackStateFile {
  private readonly file: string;
  private state: StateShape;

  private constructor(file: string, state: StateShape) {
    this.file = file;
    this.state = state;
  }

  /** Takes the data dir. Returns the names of leftover processes it stopped. */
  static async acquire(dataDir: string): Promise<{ state: StackStateFile; cleaned: string[] }> {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'stack.json');
    const previous = readState(file);
    const owner = previous?.supervisor;
    if (owner && owner.pid !== process.pid && stillOurs(owner)) {
      throw new AlreadyRunningError(owner.pid, dataDir);
    }
    const cleaned = await stopLeftovers(previous?.children ?? {});
    const self = { pid: process.pid, cmdline: cmdlineOf(process.pid) ?? '' };
    const state = new StackStateFile(file, {
      supervisor: self,
      startedAt: new Date().toISOString(),
      children: {},
    });
    state.save();
    return { state, cleaned };
  }

  setChild(name: string, pid: number | undefined): void {
    if (pid === undefined) return;
    this.state.children[name] = { pid, cmdline: cmdlineOf(pid) ?? '' };
    this.save();
  }

  removeChild(name: string): void {
    delete this.state.children[name];
    this.save();
  }

  release(): void {
    rmSync(this.file, { force: true });
  }

  private save(): void {
    writeFileSync(this.file, `${JSON.stringify(this.state, null, 2)}\n`);
  }
}
