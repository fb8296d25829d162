import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFreePort, ManagedProcess } from '@photomaker/harness';

export interface LaunchOptions {
  /** A fresh temp dir when omitted. */
  dataDir?: string;
  /** Extra environment (e.g. RUNWARE_EMULATOR_LATENCY); ports are chosen free unless given here. */
  env?: Record<string, string>;
  args?: string[];
  readyTimeoutMs?: number;
  /** Called with every output line of the launcher. */
  onLine?: (line: string) => void;
}

export interface LaunchedStack {
  apiUrl: string;
  temporalUiUrl: string;
  temporalAddress: string;
  emulatorUrl: string;
  workerUrl: string;
  /** The demo key the launcher created. */
  apiKey: string;
  dataDir: string;
  ports: Record<string, number>;
  /** The launcher's output so far (stdout and stderr). */
  output(): string;
  /** Milliseconds from spawn to the `ready:` line. */
  readyMs: number;
  launcher: ChildProcess;
  /** Pids of the services, as the launcher recorded them in `<data dir>/stack.json`. */
  servicePids(): Record<string, number>;
  /** Ctrl-C (SIGINT) by default; resolves with how the launcher exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Every port of the stack, free right now (tests never use the defaults: a developer's stack may run). */
export async function freeStackPorts(): Promise<Record<string, string>> {
  const names = [
    'PORT',
    'TEMPORAL_PORT',
    'TEMPORAL_UI_PORT',
    'REDIS_PORT',
    'RUNWARE_EMULATOR_PORT',
    'WORKER_HTTP_PORT',
    'WORKER_CORE_METRICS_PORT',
  ];
  const ports: Record<string, string> = {};
  for (const name of names) ports[name] = String(await getFreePort());
  return ports;
}

/**
 * Runs the real start command (`node tools/launcher/src/main.ts`, what `npm start` runs) on free ports and
 * a temp data dir, and resolves at its `ready:` line. For tests: the launcher test and the web app's
 * browser test drive the very command a newcomer runs.
 */
export async function launchStack(options: LaunchOptions = {}): Promise<LaunchedStack> {
  // A port free when picked can be taken before the launcher binds it (other tests start servers on
  // ephemeral ports meanwhile): the launcher refuses, naming it, and a new set of free ports is tried.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchOnce(options);
    } catch (error) {
      const portTaken = /port \d+ \(for [^)]*\) is already in use/.test((error as Error).message);
      const fixedPorts = Object.keys(pick(options.env ?? {}, /PORT$/)).length > 0;
      if (!portTaken || fixedPorts || attempt >= 3) throw error;
    }
  }
}

async function launchOnce(options: LaunchOptions): Promise<LaunchedStack> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'photomaker-stack-'));
  const ports = { ...(await freeStackPorts()), ...pick(options.env ?? {}, /PORT$/) };
  const envFile = join(dataDir, 'test.env');
  writeFileSync(envFile, '# the launcher test environment: nothing from the developer .env\n');
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports, PHOTOMAKER_RUNWARE: 'emulator', ...options.env };
  // A developer's own settings must not leak into the test stack.
  for (const name of ['PHOTOMAKER_API_KEYS', 'TEMPORAL_ADDRESS', 'REDIS_URL', 'PHOTOMAKER_PUBLIC_URL']) {
    if (!options.env?.[name]) delete env[name];
  }
  const started = performance.now();
  const lines: string[] = [];
  // A test that dies still stops its stack: the harness SIGKILLs its children at exit, and a launcher
  // killed that way makes its supervisor (IPC disconnect) stop every service.
  const managed = new ManagedProcess({
    name: 'the launcher',
    command: process.execPath,
    args: [MAIN, '--data-dir', dataDir, '--dotenv', envFile, ...(options.args ?? [])],
    env,
    onLine: (line) => {
      lines.push(line);
      options.onLine?.(line);
    },
  });
  const launcher = managed.child;
  try {
    await managed.waitForLine(/^ready:/, options.readyTimeoutMs ?? 240_000);
  } catch (error) {
    // SIGINT: the launcher stops what it started before it exits.
    if (managed.running) launcher.kill('SIGINT');
    await managed.exited;
    throw new Error(`${(error as Error).message.split('\n')[0]}; its output:\n${lines.join('\n')}`);
  }
  const readyMs = performance.now() - started;
  const port = (name: string) => Number(ports[name]);
  return {
    apiUrl: `http://127.0.0.1:${port('PORT')}`,
    temporalUiUrl: `http://127.0.0.1:${port('TEMPORAL_UI_PORT')}`,
    temporalAddress: `127.0.0.1:${port('TEMPORAL_PORT')}`,
    emulatorUrl: `http://127.0.0.1:${port('RUNWARE_EMULATOR_PORT')}`,
    workerUrl: `http://127.0.0.1:${port('WORKER_HTTP_PORT')}`,
    apiKey: readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim(),
    dataDir,
    ports: Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, Number(v)])),
    output: () => lines.join('\n'),
    readyMs,
    launcher,
    servicePids: () => {
      try {
        const state = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as {
          children: Record<string, { pid: number }>;
        };
        return Object.fromEntries(Object.entries(state.children).map(([name, record]) => [name, record.pid]));
      } catch {
        return {};
      }
    },
    stop: async (signal = 'SIGINT') => {
      if (managed.running) launcher.kill(signal);
      return managed.exited;
    },
  };
}

function pick(env: Record<string, string>, pattern: RegExp): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => pattern.test(key)));
}
