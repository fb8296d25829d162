import { setTimeout as sleep } from 'node:timers/promises';
import { redisPing } from '@photomaker/harness';
import { probeTemporal } from '@photomaker/temporal/connection';
import { readyBanner, readyLine } from './banner.ts';
import { BuildError, buildApps } from './build.ts';
import type { StackConfig } from './config.ts';
import { LogFiles } from './log-files.ts';
import { APPS, type AppName, findPieces, type Piece } from './pieces.ts';
import { busyPorts } from './preflight.ts';
import { makeDataDirPrivate } from './private-data.ts';
import type { Reporter } from './reporter.ts';
import { ensureDemoKey, ensureSecrets } from './secrets.ts';
import { apiService, emulatorService, redisService, temporalService, workerService } from './services.ts';
import { type AppEnvironments, appEnvironments, type Endpoints } from './stack-env.ts';
import { AlreadyRunningError, StackStateFile } from './state-file.ts';
import { ServiceStartError, Supervisor } from './supervisor.ts';

/** A problem the user can fix, reported as one clear message without a stack trace. */
export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}

/**
 * The whole start: preflight (lock, pieces, ports), secrets, build, services in dependency order,
 * readiness, the URL block and the `ready:` line; then supervision until `stop()`.
 */
export class Stack {
  private readonly config: StackConfig;
  private readonly reporter: Reporter;
  private readonly logs: LogFiles;
  private state?: StackStateFile;
  private supervisor?: Supervisor;
  private stopping?: Promise<void>;
  private readonly fatal: Promise<string>;
  private reportFatal!: (message: string) => void;

  constructor(config: StackConfig, reporter: Reporter) {
    this.config = config;
    this.reporter = reporter;
    // Before the first file in it (logs): every file the stack writes is created private.
    makeDataDirPrivate(config.dataDir);
    this.logs = new LogFiles(config.dataDir);
    this.fatal = new Promise((resolve) => {
      this.reportFatal = resolve;
    });
  }

  /** Resolves once the stack is ready; throws StackError (clear message) for anything the user can fix. */
  async start(): Promise<void> {
    const { config, reporter } = this;
    const began = performance.now();
    const mode =
      config.runware.mode === 'emulator'
        ? 'Runware emulator'
        : `the real Runware (${config.runware.baseUrl})`;
    reporter.heading(`PhotoMaker: starting with ${mode}; data in ${config.dataDir}`);
    for (const warning of config.warnings) reporter.warn(warning);

    const state = await this.acquireState();
    const pieces = findPieces(config.rootDir);
    const missing = this.missingPieces(pieces);
    const runs = (name: AppName) => !missing.includes(name);
    await this.checkPorts(runs);
    // Before anything is built or started: a bad CA, certificate or key is the first thing said.
    await this.checkExternalTemporal();

    const secrets = ensureSecrets(config.dataDir);
    const demoKey = ensureDemoKey(config.dataDir);
    await this.build(pieces);

    const endpoints = this.endpoints(secrets.redisPassword);
    const envs = appEnvironments(config, secrets, demoKey, endpoints);
    await this.startServices(state, envs, endpoints, runs, secrets.redisPassword);

    const banner = {
      config,
      apiUrl: endpoints.apiUrl,
      temporalAddress: endpoints.temporalAddress,
      ...(endpoints.temporalUiUrl ? { temporalUiUrl: endpoints.temporalUiUrl } : {}),
      ...(this.runsEmulator(runs) ? { emulatorUrl: `http://127.0.0.1:${config.ports.emulator}` } : {}),
      workerUrl: endpoints.workerUrl,
      ...(envs.demo ? { demoKey } : {}),
      missing,
      startupMs: performance.now() - began,
    };
    reporter.line(readyBanner(banner));
    reporter.line(readyLine(banner));
  }

  /** One launcher per data dir: takes the lock, stopping leftovers of a run that died. */
  private async acquireState(): Promise<StackStateFile> {
    try {
      const acquired = await StackStateFile.acquire(this.config.dataDir);
      this.state = acquired.state;
      for (const leftover of acquired.cleaned)
        this.reporter.info(`stopped a leftover of an earlier run: ${leftover}`);
      return acquired.state;
    } catch (error) {
      if (error instanceof AlreadyRunningError) throw new StackError(error.message);
      throw error;
    }
  }

  /** Apps whose entry file does not exist (yet): warned about and left out. */
  private missingPieces(pieces: Record<AppName, Piece>): AppName[] {
    const missing = (Object.keys(pieces) as AppName[]).filter((name) => {
      if (name === 'emulator' && this.config.runware.mode === 'real') return false;
      return !pieces[name].present;
    });
    for (const name of missing) this.reporter.warn(`${name}: ${pieceMessage(name)}`);
    return missing;
  }

  private runsEmulator(runs: (name: AppName) => boolean): boolean {
    return this.config.runware.mode === 'emulator' && runs('emulator');
  }

  /** Every port we are about to bind must be free: one message listing each one that is not. */
  private async checkPorts(runs: (name: AppName) => boolean): Promise<void> {
    const { ports } = this.config;
    const when = (yes: boolean, port: number | undefined) => (yes ? port : undefined);
    const problems = await busyPorts({
      api: when(runs('api'), ports.api),
      temporal: ports.temporal,
      temporalUi: ports.temporalUi,
      redis: ports.redis,
      emulator: when(runs('emulator'), ports.emulator),
      workerHttp: when(runs('worker'), ports.workerHttp),
      workerCoreMetrics: when(runs('worker'), ports.workerCoreMetrics),
    });
    if (problems.length > 0) throw new StackError(problems.join('\n'));
  }

  /** `turbo run build` of the present apps that have a build step. */
  private async build(pieces: Record<AppName, Piece>): Promise<void> {
    const builds = (['web', 'worker', 'api', 'emulator'] as const)
      .map((name) => pieces[name])
      .filter((piece) => piece.present && piece.builds && piece.packageName)
      .map((piece) => piece.packageName as string);
    if (builds.length === 0) return;
    const step = this.reporter.step('build', `turbo run build (${builds.join(', ')})`);
    try {
      const result = await buildApps({
        rootDir: this.config.rootDir,
        packages: builds,
        onLine: (line) => {
          this.logs.write('build', line);
          this.reporter.serviceLine('build', line);
        },
      });
      step.done(`${builds.join(', ')}: ${result.cached}/${result.total} from turbo's cache`);
    } catch (error) {
      step.fail('build failed');
      if (error instanceof BuildError)
        throw new StackError(`${error.message}\n  full log: ${this.logs.path('build')}`);
      throw error;
    }
  }

  /** Where each service is reached: ours on the configured ports, or the external ones the user set. */
  private endpoints(redisPassword: string): Endpoints {
    const { config } = this;
    return {
      temporalAddress: config.temporalAddress ?? `127.0.0.1:${config.ports.temporal}`,
      ...(config.ports.temporalUi ? { temporalUiUrl: `http://127.0.0.1:${config.ports.temporalUi}` } : {}),
      redisUrl: config.redisUrl ?? `redis://:${redisPassword}@127.0.0.1:${config.ports.redis}`,
      runwareBaseUrl:
        config.runware.mode === 'real'
          ? config.runware.baseUrl
          : `http://127.0.0.1:${config.ports.emulator}/v1`,
      apiUrl: `http://127.0.0.1:${config.ports.api}`,
      workerUrl: `http://127.0.0.1:${config.ports.workerHttp}`,
    };
  }

  /** Infrastructure first, then worker and API; supervision (restarts) starts once all are ready. */
  private async startServices(
    state: StackStateFile,
    envs: AppEnvironments,
    endpoints: Endpoints,
    runs: (name: AppName) => boolean,
    redisPassword: string,
  ): Promise<void> {
    const { config } = this;
    const supervisor = new Supervisor({
      reporter: this.reporter,
      logs: this.logs,
      state,
      onFatal: (message) => this.reportFatal(message),
    });
    this.supervisor = supervisor;
    try {
      await supervisor.startGroup([
        ...(config.temporalAddress ? [] : [temporalService(config, envs)]),
        ...(config.redisUrl ? [] : [redisService(config, redisPassword)]),
        ...(this.runsEmulator(runs) ? [emulatorService(config, envs)] : []),
      ]);
      await this.checkExternal();
      await supervisor.startGroup([
        ...(runs('worker') ? [workerService(config, envs)] : []),
        ...(runs('api') ? [apiService(config, envs)] : []),
      ]);
      if (runs('api')) await this.waitApiReady(endpoints.apiUrl);
    } catch (error) {
      if (error instanceof ServiceStartError) throw new StackError(error.message);
      throw error;
    }
    supervisor.superviseFromNowOn();
  }

  /** Resolves with a message when a service keeps crashing. */
  get failed(): Promise<string> {
    return this.fatal;
  }

  /** Stops every child in reverse order of start; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.supervisor?.stopAll();
      this.state?.release();
      await this.logs.close();
    })();
    return this.stopping;
  }

  /** Second Ctrl-C: SIGKILL everything now. */
  async kill(): Promise<void> {
    await this.supervisor?.killAll();
    this.state?.release();
  }

  /** The same connection the apps will make (address, TLS, client certificate, API key, profile). */
  private async checkExternalTemporal(): Promise<void> {
    const temporal = this.config.externalTemporal;
    if (!temporal) return;
    const step = this.reporter.step('temporal', `connecting to ${temporal.address}`);
    const probe = await probeTemporal(temporal);
    if (!probe.ok) {
      step.fail(probe.kind === 'unreachable' ? 'unreachable' : `refused (${probe.kind})`);
      throw new StackError(probe.message);
    }
    step.done(`external Temporal at ${temporal.address} (${temporal.security})`);
  }

  private async checkExternal(): Promise<void> {
    if (this.config.redisUrl) {
      const url = new URL(this.config.redisUrl);
      // A plain PING answers without auth/TLS only; for those the apps report problems themselves.
      if (url.protocol === 'redis:' && !url.password) {
        const ok = await redisPing(Number(url.port || 6379), url.hostname);
        if (!ok) throw new StackError(`REDIS_URL: no Redis answers PING at ${url.host}`);
      }
      this.reporter.info(`using the Redis at ${url.host}`);
    }
  }

  /** The API's `/readyz` checks Temporal and Redis from its side; tolerated when the API has no such route. */
  private async waitApiReady(apiUrl: string): Promise<void> {
    const step = this.reporter.step('api', 'readiness (/readyz)');
    const deadline = Date.now() + 60_000;
    let last = '';
    while (Date.now() < deadline) {
      const api = this.supervisor?.get('api');
      if (api && !api.process.running) break;
      try {
        const response = await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
        last = `HTTP ${response.status} ${(await response.text()).slice(0, 300)}`;
        if (response.ok || response.status === 404) {
          step.done(response.ok ? 'ready' : 'no /readyz route; the ready line was enough');
          return;
        }
      } catch (error) {
        last = String((error as Error).message);
      }
      await sleep(250);
    }
    step.fail('not ready');
    throw new StackError(
      `the API did not become ready within 60 s (last answer: ${last})\n  full log: ${this.logs.path('api')}`,
    );
  }
}

function pieceMessage(name: AppName): string {
  return `${APPS[name].entry} does not exist yet, so the ${APPS[name].label} is not started: ${APPS[name].without}`;
}
