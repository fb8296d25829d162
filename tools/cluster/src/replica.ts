import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningNodeApp, startApiApp, startWorkerApp } from '@photomaker/harness';
import { cpuSecondsOf } from './cpu.ts';

export type ReplicaKind = 'api' | 'worker';

/** The directories of one replica: the only place its process may write (cwd, HOME, TMPDIR, blob dir). */
export function replicaDirs(root: string, name: string) {
  const dir = join(root, 'replicas', name);
  return { dir, work: join(dir, 'work'), data: join(dir, 'data'), tmp: join(dir, 'tmp') };
}

/**
 * One API or worker process of the cluster run, in a working and data directory of its own (empty at
 * first start), restartable on the same port. Counts the CPU its processes used, killed ones included.
 */
export class Replica {
  readonly name: string;
  readonly kind: ReplicaKind;
  /** The "node" (machine) it belongs to: a node kill takes down every replica of the node. */
  readonly node: number;
  readonly dirs: ReturnType<typeof replicaDirs>;
  starts = 0;
  private app: RunningNodeApp | undefined;
  private port = 0;
  private spentCpu = 0;
  private readonly env: Record<string, string>;
  private readonly onLine: ((line: string) => void) | undefined;

  constructor(options: {
    root: string;
    name: string;
    kind: ReplicaKind;
    node: number;
    env: Record<string, string>;
    onLine?: (line: string) => void;
  }) {
    this.name = options.name;
    this.kind = options.kind;
    this.node = options.node;
    this.dirs = replicaDirs(options.root, options.name);
    for (const dir of [this.dirs.work, this.dirs.data, this.dirs.tmp]) mkdirSync(dir, { recursive: true });
    this.onLine = options.onLine;
    this.env = {
      ...options.env,
      // Anything the process writes by default lands in its own directories.
      HOME: this.dirs.dir,
      TMPDIR: this.dirs.tmp,
      XDG_CACHE_HOME: join(this.dirs.dir, 'cache'),
      PHOTOMAKER_BLOB_DIR: join(this.dirs.data, 'blobs'),
    };
  }

  /** `http://127.0.0.1:<port>` of an API replica (the same across restarts). */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.app?.process.pid;
  }

  async start(): Promise<void> {
    const common = { env: this.env, cwd: this.dirs.work, onLine: this.onLine };
    this.app =
      this.kind === 'api'
        ? await startApiApp({ ...common, port: this.port })
        : await startWorkerApp({
            ...common,
            env: { ...this.env, WORKER_HTTP_PORT: '0', WORKER_CORE_METRICS_PORT: '0' },
          });
    if (this.kind === 'api') this.port = Number(new URL(this.app.url ?? 'http://x:0').port);
    this.starts += 1;
  }

  /** kill -9 (`kill`) or SIGTERM and wait for the drain (`drain`). */
  async down(how: 'kill' | 'drain', graceMs = 30_000): Promise<{ exit: string }> {
    const app = this.app;
    if (!app) return { exit: 'not running' };
    this.spentCpu += cpuSecondsOf(app.process.pid);
    if (how === 'kill') await app.kill();
    else await app.stop(graceMs);
    const exit = await app.process.exited;
    this.app = undefined;
    return { exit: exit.signal ?? `code ${exit.code}` };
  }

  /** CPU seconds of every process this replica ran, the live one included. */
  cpuSeconds(): number {
    return this.spentCpu + cpuSecondsOf(this.pid);
  }

  tail(lines = 20): string {
    return this.app?.process.tail(lines) ?? '';
  }
}
