import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES } from '@photomaker/temporal';
import type { ManagedProcess } from '../managed-process.ts';
import { startRedis } from '../redis.ts';
import { startTemporal } from '../temporal.ts';
import { startApiApp, startEmulatorApp, startWorkerApp } from './apps.ts';
import { generateSecrets, type PlatformEnvs, type PlatformSecrets, platformEnv } from './platform-env.ts';

export type PieceName = 'temporal' | 'redis' | 'emulator' | 'worker' | 'api';
/** Every piece, in start order. */
export const PIECE_NAMES: readonly PieceName[] = ['temporal', 'redis', 'emulator', 'worker', 'api'];
const INFRA: readonly PieceName[] = ['temporal', 'redis', 'emulator'];

export interface PlatformOptions {
  /** Which pieces to start; the others are left out of the wiring. */
  pieces: readonly PieceName[];
  /** More dev server flags of the `temporal` piece (e.g. `--dynamic-config-value K=V`). */
  temporalArgs?: readonly string[];
  /** A Temporal frontend of your own (`host:port`) instead of the `temporal` piece. */
  temporalAddress?: string;
  /**
   * A Redis of your own instead of the `redis` piece: its URL, and the seeds of a Redis Cluster
   * (`startRedisCluster().seeds`) when it is one.
   */
  redis?: { url: string; clusterNodes?: string };
  /** Extra environment per app, over the wiring (tuning, limits, test knobs). */
  env?: Partial<Record<'emulator' | 'worker' | 'api', Record<string, string>>>;
  /** Names the temp data dir and the payload key id (default `platform`). */
  name?: string;
  /** Persist Temporal (SQLite file) and Redis (AOF) under the data dir, so restarts keep state. */
  persistent?: boolean;
  /** Keep the data dir after stop (for inspection); removed by default. */
  keepData?: boolean;
  emulator?: {
    /** `--latency`: a preset or JSON knobs (default none). */
    latency?: string;
    /** More emulator flags (`--capacity`, `--faults`, ...). */
    args?: readonly string[];
    /** The key the emulator accepts and the apps send; a fresh one by default. */
    key?: string;
  };
  /** false: Temporal without task-queue fairness (the queue bench's A/B); on by default. */
  temporalFairness?: boolean;
  /** Extra Node flags per app (e.g. `--cpu-prof`). */
  nodeArgs?: Partial<Record<'worker' | 'api', readonly string[]>>;
  /** The tenant of the API key the API accepts (default `platform`). */
  tenant?: string;
  /** false: no rate limit on that key (bench and chaos are one client hammering one key on purpose). */
  rateLimited?: boolean;
  /** LOG_LEVEL of the apps (default info: the ready lines are info lines). */
  logLevel?: string;
  /** SIGTERM grace of worker and API at stop (default 5 s; profiled runs need a clean exit). */
  stopGraceMs?: number;
  /** Every output line of every piece. */
  onLine?: (piece: PieceName, line: string) => void;
}

interface Running {
  process: ManagedProcess;
  /** The port the piece listens on, kept for restarts (clients reconnect to it). */
  port: number;
  url?: string | undefined;
  stop(graceMs?: number): Promise<void>;
}

const portOf = (url: string | undefined) => Number(new URL(url ?? 'http://x:0').port);

/**
 * A platform of real processes on loopback ports with a temp data dir. Each piece can be stopped, killed
 * and started again on the same port and data.
 */
export class Platform {
  readonly dataDir: string;
  readonly blobDir: string;
  readonly tenant: string;
  readonly apiKey: string;
  readonly secrets: PlatformSecrets;
  /** How often each piece was started (restarts counted). */
  readonly starts: Record<PieceName, number> = { temporal: 0, redis: 0, emulator: 0, worker: 0, api: 0 };
  private readonly options: PlatformOptions;
  private readonly running: Partial<Record<PieceName, Running>> = {};

  constructor(options: PlatformOptions) {
    this.options = options;
    const name = options.name ?? 'platform';
    this.dataDir = mkdtempSync(join(tmpdir(), `photomaker-${name}-`));
    this.blobDir = join(this.dataDir, 'blobs');
    this.tenant = options.tenant ?? 'platform';
    this.apiKey = `${this.tenant}-${randomUUID()}`;
    const secrets = generateSecrets(name);
    this.secrets = options.emulator?.key ? { ...secrets, runwareKey: options.emulator.key } : secrets;
  }

  has(piece: PieceName): boolean {
    return this.options.pieces.includes(piece);
  }

  get temporalAddress(): string {
    return this.options.temporalAddress ?? `127.0.0.1:${this.require('temporal').port}`;
  }
  get redisUrl(): string {
    if (this.options.redis) return this.options.redis.url;
    return `redis://:${this.secrets.redisPassword}@127.0.0.1:${this.require('redis').port}`;
  }
  /** The emulator's origin; its admin API is under `/admin`. */
  get emulatorUrl(): string {
    return `http://127.0.0.1:${this.require('emulator').port}`;
  }
  get runwareBaseUrl(): string {
    return `${this.emulatorUrl}/v1`;
  }
  get apiUrl(): string {
    return `http://127.0.0.1:${this.require('api').port}`;
  }

  /** The environment of each app as wired now (`shared` is for workers and APIs a test starts itself). */
  get envs(): PlatformEnvs {
    const at = <T>(piece: PieceName, value: () => T) => (this.running[piece] ? value() : undefined);
    return platformEnv({
      temporalAddress: this.options.temporalAddress ?? at('temporal', () => this.temporalAddress),
      redisUrl: this.options.redis?.url ?? at('redis', () => this.redisUrl),
      redisClusterNodes: this.options.redis?.clusterNodes,
      emulatorUrl: at('emulator', () => this.emulatorUrl),
      publicUrl: at('api', () => this.apiUrl),
      blobDir: this.blobDir,
      secrets: this.secrets,
      logLevel: this.options.logLevel ?? 'info',
      allowPrivateUrls: '127.0.0.1',
      api: {
        tenant: this.tenant,
        key: this.apiKey,
        ...(this.options.rateLimited === false ? { rateLimited: false } : {}),
      },
    });
  }

  process(piece: PieceName): ManagedProcess | undefined {
    return this.running[piece]?.process;
  }

  pid(piece: PieceName): number | undefined {
    return this.process(piece)?.pid;
  }

  /** Pids of the pieces running now. */
  pids(): Partial<Record<PieceName, number>> {
    const out: Partial<Record<PieceName, number>> = {};
    for (const piece of PIECE_NAMES) {
      const child = this.process(piece);
      if (child?.running && child.pid !== undefined) out[piece] = child.pid;
    }
    return out;
  }

  /** Output tail of one piece (for error reports). */
  tail(piece: PieceName, lines = 30): string {
    return this.process(piece)?.tail(lines) ?? '';
  }

  /** Starts every chosen piece: Temporal, Redis and the emulator at once, then the API, then the worker. */
  async start(): Promise<void> {
    mkdirSync(this.blobDir, { recursive: true });
    await Promise.all(INFRA.filter((piece) => this.has(piece)).map((piece) => this.startPiece(piece)));
    // The API first: the worker links images to it.
    if (this.has('api')) await this.startPiece('api');
    if (this.has('worker')) await this.startPiece('worker');
  }

  /** Starts one piece (again), on the port it had. */
  async startPiece(piece: PieceName): Promise<void> {
    const previousPort = this.running[piece]?.port;
    this.running[piece] = await this.launch(piece, previousPort);
    this.starts[piece] += 1;
  }

  /** SIGKILL (`kill`) or SIGTERM with grace (`stop`), then start again on the same port and data. */
  async restart(piece: PieceName, how: 'kill' | 'stop' = 'stop'): Promise<{ downMs: number }> {
    const started = performance.now();
    await this.down(piece, how, piece === 'worker' ? 5_000 : 10_000);
    await this.startPiece(piece);
    return { downMs: Math.round(performance.now() - started) };
  }

  /** Takes a piece down and leaves it down (its port is kept for a later start). */
  async down(piece: PieceName, how: 'kill' | 'stop' = 'stop', graceMs = 10_000): Promise<void> {
    const child = this.process(piece);
    if (!child) return;
    if (how === 'kill') await child.kill();
    else await child.stop(graceMs);
  }

  /** Stops the apps, then the infrastructure; removes the data dir unless `keepData`. */
  async stop(): Promise<void> {
    const grace = this.options.stopGraceMs ?? 5_000;
    await Promise.allSettled([this.running.api?.stop(grace), this.running.worker?.stop(grace)]);
    await Promise.allSettled(INFRA.map((piece) => this.running[piece]?.stop(5_000)));
    if (!this.options.keepData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private require(piece: PieceName): Running {
    const running = this.running[piece];
    if (!running) throw new Error(`the platform's ${piece} is not started`);
    return running;
  }

  private onLine(piece: PieceName) {
    const onLine = this.options.onLine;
    return onLine ? (line: string) => onLine(piece, line) : undefined;
  }

  private launch(piece: PieceName, port: number | undefined): Promise<Running> {
    switch (piece) {
      case 'temporal':
        return this.launchTemporal(port);
      case 'redis':
        return this.launchRedis(port);
      case 'emulator':
        return this.launchEmulator(port);
      case 'worker':
        return this.launchWorker();
      case 'api':
        return this.launchApi(port);
    }
  }

  private async launchTemporal(port: number | undefined): Promise<Running> {
    const dbDir = join(this.dataDir, 'temporal');
    if (this.options.persistent) mkdirSync(dbDir, { recursive: true });
    const onLine = this.onLine('temporal');
    const temporal = await startTemporal({
      searchAttributes: SEARCH_ATTRIBUTE_TYPES,
      ...(port ? { port } : {}),
      ...(this.options.temporalArgs ? { extraArgs: this.options.temporalArgs } : {}),
      ...(this.options.persistent ? { dbFile: join(dbDir, 'temporal.db') } : {}),
      ...(this.options.temporalFairness === false ? { fairness: false } : {}),
      ...(onLine ? { onLine } : {}),
    });
    return { process: temporal.process, port: temporal.port, stop: () => temporal.stop() };
  }

  private async launchRedis(port: number | undefined): Promise<Running> {
    const onLine = this.onLine('redis');
    const redis = await startRedis({
      password: this.secrets.redisPassword,
      ...(port ? { port } : {}),
      ...(this.options.persistent ? { dir: join(this.dataDir, 'redis') } : {}),
      ...(onLine ? { onLine } : {}),
    });
    return { process: redis.process, port: redis.port, stop: () => redis.stop() };
  }

  private async launchEmulator(port: number | undefined): Promise<Running> {
    const app = await startEmulatorApp({
      port: port ?? 0,
      latency: this.options.emulator?.latency ?? 'none',
      args: this.options.emulator?.args ?? [],
      env: { ...this.envs.emulator, ...this.options.env?.emulator },
      onLine: this.onLine('emulator'),
    });
    return { ...app, port: portOf(app.url) };
  }

  private async launchWorker(): Promise<Running> {
    const app = await startWorkerApp({
      env: { ...this.envs.worker, ...this.options.env?.worker },
      nodeArgs: this.options.nodeArgs?.worker,
      onLine: this.onLine('worker'),
    });
    return { ...app, port: portOf(app.url) };
  }

  private async launchApi(port: number | undefined): Promise<Running> {
    const app = await startApiApp({
      port: port ?? 0,
      env: { ...this.envs.api, ...this.options.env?.api },
      nodeArgs: this.options.nodeArgs?.api,
      onLine: this.onLine('api'),
    });
    return { ...app, port: portOf(app.url) };
  }
}

/** Starts the chosen pieces (see Platform.start); on a failed start, stops what did start and throws. */
export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const platform = new Platform(options);
  try {
    await platform.start();
  } catch (error) {
    await platform.stop();
    throw error;
  }
  return platform;
}
