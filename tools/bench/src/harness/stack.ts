import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  getFreePort,
  type ManagedProcess,
  type RunningNodeApp,
  type RunningRedis,
  type RunningTemporal,
  startNodeApp,
  startRedis,
  startTemporal,
} from '@photomaker/harness';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';

/** The emulator's documented dev key (it accepts only that one when started without keys). */
export const EMULATOR_KEY = 'rw-emulator-dev-key';

export type ProcessName = 'temporal' | 'redis' | 'emulator' | 'worker' | 'api';
export const PROCESS_NAMES: readonly ProcessName[] = ['temporal', 'redis', 'emulator', 'worker', 'api'];

export interface StackOptions {
  /** Emulator `--latency` (preset or JSON knobs). */
  latency?: string;
  /** Extra emulator flags (e.g. `--capacity`, `--faults`). */
  emulatorArgs?: string[];
  /** Persist Temporal (SQLite file) and Redis (AOF) under the data dir, so restarts keep state. */
  persistent?: boolean;
  /** Extra environment for the worker / the API. */
  workerEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  /** Extra Node flags for the worker / API process (e.g. `--cpu-prof`). */
  workerNodeArgs?: string[];
  apiNodeArgs?: string[];
  /**
   * SIGTERM grace for worker and API at stop (default 5 s). Profiled runs need a clean exit (the
   * .cpuprofile is written on the way out): the API takes ~15 s to exit on SIGTERM today.
   */
  stopGraceMs?: number;
  /** Log level of our apps (default info: the ready lines are info lines). */
  logLevel?: string;
  /** Keep the data dir after stop (for inspection); removed by default. */
  keepData?: boolean;
  /** Every output line of every process, prefixed with its name (`--verbose`). */
  onLine?: (name: ProcessName, line: string) => void;
}

/**
 * The whole platform as real processes on free loopback ports with a temp data dir, started the way the
 * launcher starts it (tools/harness): Temporal dev server, redis-server, the Runware emulator, the
 * worker and the API. Every piece can be killed and restarted on the same port and data.
 */
export class BenchStack {
  readonly dataDir: string;
  readonly apiKey: string;
  readonly tenant = 'bench';
  private readonly options: StackOptions;
  private ports: { temporal: number; redis: number; api: number; emulator: number } | undefined;
  private temporal: RunningTemporal | undefined;
  private redis: RunningRedis | undefined;
  private emulator: RunningNodeApp | undefined;
  private worker: RunningNodeApp | undefined;
  private api: RunningNodeApp | undefined;
  private env: Record<string, string> = {};
  /** How often each process was started (restarts counted). */
  readonly starts: Record<ProcessName, number> = { temporal: 0, redis: 0, emulator: 0, worker: 0, api: 0 };

  constructor(options: StackOptions = {}) {
    this.options = options;
    this.dataDir = mkdtempSync(join(tmpdir(), 'photomaker-bench-'));
    this.apiKey = `bench-${randomUUID()}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.requirePorts().api}`;
  }
  get emulatorUrl(): string {
    return `http://127.0.0.1:${this.requirePorts().emulator}`;
  }
  get runwareBaseUrl(): string {
    return `${this.emulatorUrl}/v1`;
  }
  get redisUrl(): string {
    return `redis://127.0.0.1:${this.requirePorts().redis}`;
  }
  get temporalAddress(): string {
    return `127.0.0.1:${this.requirePorts().temporal}`;
  }
  /** Environment shared by worker and API (secrets, endpoints, blob dir). */
  get sharedEnv(): Readonly<Record<string, string>> {
    return this.env;
  }

  private requirePorts() {
    if (!this.ports) throw new Error('the stack is not started');
    return this.ports;
  }

  pid(name: ProcessName): number | undefined {
    return this.processOf(name)?.pid;
  }

  processOf(name: ProcessName): ManagedProcess | undefined {
    const running = {
      temporal: this.temporal,
      redis: this.redis,
      emulator: this.emulator,
      worker: this.worker,
      api: this.api,
    }[name];
    return running?.process;
  }

  pids(): Partial<Record<ProcessName, number>> {
    const out: Partial<Record<ProcessName, number>> = {};
    for (const name of PROCESS_NAMES) {
      const pid = this.pid(name);
      if (pid !== undefined && this.processOf(name)?.running) out[name] = pid;
    }
    return out;
  }

  async start(): Promise<void> {
    this.ports = {
      temporal: await getFreePort(),
      redis: await getFreePort(),
      api: await getFreePort(),
      emulator: await getFreePort(),
    };
    mkdirSync(join(this.dataDir, 'blobs'), { recursive: true });
    this.env = {
      TEMPORAL_ADDRESS: this.temporalAddress,
      REDIS_URL: this.redisUrl,
      RUNWARE_BASE_URL: this.runwareBaseUrl,
      RUNWARE_API_KEY: EMULATOR_KEY,
      PHOTOMAKER_BLOB_DIR: join(this.dataDir, 'blobs'),
      PHOTOMAKER_URL_SECRET: randomBytes(24).toString('base64url'),
      PHOTOMAKER_WEBHOOK_SECRET: randomBytes(24).toString('base64url'),
      PHOTOMAKER_PAYLOAD_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      // The chaos webhook receiver listens on loopback.
      PHOTOMAKER_ALLOW_PRIVATE_URLS: '127.0.0.1',
      // `info`: the ready lines are info lines, and it is what production runs with.
      LOG_LEVEL: this.options.logLevel ?? 'info',
    };
    await Promise.all([this.startTemporal(), this.startRedis(), this.startEmulator()]);
    // The API first: its port is only known once it listens, and the worker links images to it.
    await this.startApi();
    this.env.PHOTOMAKER_PUBLIC_URL = this.apiUrl;
    await this.startWorker();
  }

  async startTemporal(): Promise<void> {
    const dbDir = join(this.dataDir, 'temporal');
    if (this.options.persistent) mkdirSync(dbDir, { recursive: true });
    this.temporal = await startTemporal({
      port: this.requirePorts().temporal,
      searchAttributes: SEARCH_ATTRIBUTE_TYPES,
      ...(this.options.persistent ? { dbFile: join(dbDir, 'temporal.db') } : {}),
      onLine: (line) => this.options.onLine?.('temporal', line),
    });
    this.starts.temporal += 1;
  }

  async startRedis(): Promise<void> {
    this.redis = await startRedis({
      port: this.requirePorts().redis,
      ...(this.options.persistent ? { dir: join(this.dataDir, 'redis') } : {}),
      onLine: (line) => this.options.onLine?.('redis', line),
    });
    this.starts.redis += 1;
  }

  async startEmulator(): Promise<void> {
    this.emulator = await startNodeApp({
      name: 'emulator',
      entry: 'apps/runware-emulator/src/main.ts',
      args: [
        '--port',
        String(this.requirePorts().emulator),
        '--latency',
        this.options.latency ?? 'none',
        ...(this.options.emulatorArgs ?? []),
      ],
      env: { LOG_LEVEL: this.options.logLevel ?? 'info' },
      onLine: (line) => this.options.onLine?.('emulator', line),
    });
    this.starts.emulator += 1;
  }

  async startWorker(): Promise<void> {
    this.worker = await startNodeApp({
      name: 'worker',
      entry: 'apps/worker/src/main.ts',
      env: {
        ...this.env,
        WORKER_HTTP_PORT: '0',
        WORKER_CORE_METRICS_PORT: '0',
        ...this.options.workerEnv,
        ...nodeOptions(this.options.workerNodeArgs),
      },
      readyTimeoutMs: 180_000,
      onLine: (line) => this.options.onLine?.('worker', line),
    });
    this.starts.worker += 1;
  }

  async startApi(): Promise<void> {
    const first = this.starts.api === 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.startApiOnce();
      } catch (error) {
        // A free port picked at start can be taken by someone else (shared machine) before the API binds
        // it; a first start moves to another one. Restarts must keep theirs (clients reconnect to it).
        if (!first || attempt >= 3 || !/EADDRINUSE/.test((error as Error).message)) throw error;
        this.requirePorts().api = await getFreePort();
      }
    }
  }

  private async startApiOnce(): Promise<void> {
    this.api = await startNodeApp({
      name: 'api',
      entry: 'apps/api/src/main.ts',
      args: ['--port', String(this.requirePorts().api)],
      env: {
        ...this.env,
        PHOTOMAKER_API_KEYS: `${this.tenant}:${this.apiKey}`,
        // The bench is one client hammering one key on purpose.
        PHOTOMAKER_RATE_LIMIT: '0',
        ...this.options.apiEnv,
        ...nodeOptions(this.options.apiNodeArgs),
      },
      readyTimeoutMs: 120_000,
      onLine: (line) => this.options.onLine?.('api', line),
    });
    this.starts.api += 1;
  }

  /** SIGKILL (`hard`) or SIGTERM with grace, then start again on the same port and data. */
  async restart(name: ProcessName, how: 'kill' | 'stop' = 'stop'): Promise<{ downMs: number }> {
    const proc = this.processOf(name);
    const started = performance.now();
    if (proc) {
      if (how === 'kill') await proc.kill();
      else await proc.stop(name === 'worker' ? 5_000 : 10_000);
    }
    await this.startOne(name);
    return { downMs: Math.round(performance.now() - started) };
  }

  /** Takes a process down and leaves it down (chaos: a process that is gone for a while). */
  async down(name: ProcessName, how: 'kill' | 'stop' = 'stop'): Promise<void> {
    const proc = this.processOf(name);
    if (!proc) return;
    if (how === 'kill') await proc.kill();
    else await proc.stop(10_000);
  }

  async startOne(name: ProcessName): Promise<void> {
    switch (name) {
      case 'temporal':
        return this.startTemporal();
      case 'redis':
        return this.startRedis();
      case 'emulator':
        return this.startEmulator();
      case 'worker':
        return this.startWorker();
      case 'api':
        return this.startApi();
    }
  }

  /** Output tail of one process (for error reports). */
  tail(name: ProcessName, lines = 30): string {
    return this.processOf(name)?.tail(lines) ?? '';
  }

  async stop(): Promise<void> {
    const grace = this.options.stopGraceMs ?? 5_000;
    await Promise.allSettled([this.api?.stop(grace), this.worker?.stop(grace)]);
    await Promise.allSettled([this.emulator?.stop(5_000), this.temporal?.stop(), this.redis?.stop()]);
    if (!this.options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Node flags for a child through NODE_OPTIONS (startNodeApp runs `node <entry>` without extra flags). */
function nodeOptions(args: string[] | undefined): Record<string, string> {
  if (!args || args.length === 0) return {};
  return { NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', ...args].join(' ').trim() };
}
