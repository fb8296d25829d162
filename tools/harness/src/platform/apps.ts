import { type RunningNodeApp, startNodeApp } from '../node-app.ts';

/** Our three app processes and their entry files (relative to the repo root): known here only. */
export const APP_ENTRIES = {
  emulator: 'apps/runware-emulator/src/main.ts',
  worker: 'apps/worker/src/main.ts',
  api: 'apps/api/src/main.ts',
} as const;

export type AppName = keyof typeof APP_ENTRIES;

interface AppStartOptions {
  env: Record<string, string>;
  onLine?: ((line: string) => void) | undefined;
  /** Extra Node flags (e.g. `--cpu-prof`), passed through NODE_OPTIONS. */
  nodeArgs?: readonly string[] | undefined;
  /** Working directory of the process (default the repo root). */
  cwd?: string | undefined;
}

export interface EmulatorAppOptions extends AppStartOptions {
  /** 0 (the default) picks a free port; the URL in the handle says which. */
  port?: number;
  /** `--latency`: a preset or JSON knobs (default none). */
  latency?: string;
  /** More CLI flags (`--capacity`, `--faults`, ...). */
  args?: readonly string[];
}

export interface ApiAppOptions extends AppStartOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
}

function lineHandler(onLine: AppStartOptions['onLine']) {
  return onLine ? { onLine: (line: string) => onLine(line) } : {};
}

const cwdOf = (options: AppStartOptions) => (options.cwd ? { cwd: options.cwd } : {});

/** Node flags for a child through NODE_OPTIONS (startNodeApp runs `node <entry>` without extra flags). */
function nodeOptions(args: readonly string[] | undefined): Record<string, string> {
  if (!args || args.length === 0) return {};
  return { NODE_OPTIONS: [process.env.NODE_OPTIONS ?? '', ...args].join(' ').trim() };
}

/** The Runware emulator; its keys come from RUNWARE_EMULATOR_KEYS in `env`. */
export function startEmulatorApp(options: EmulatorAppOptions): Promise<RunningNodeApp> {
  return startNodeApp({
    name: 'emulator',
    entry: APP_ENTRIES.emulator,
    args: [
      '--port',
      String(options.port ?? 0),
      '--latency',
      options.latency ?? 'none',
      ...(options.args ?? []),
    ],
    env: { ...options.env, ...nodeOptions(options.nodeArgs) },
    readyTimeoutMs: 60_000,
    ...lineHandler(options.onLine),
    ...cwdOf(options),
  });
}

/** The worker; it bundles its workflows at start unless a prebuilt bundle exists (see worker-bundle.ts). */
export function startWorkerApp(options: AppStartOptions): Promise<RunningNodeApp> {
  return startNodeApp({
    name: 'worker',
    entry: APP_ENTRIES.worker,
    env: { ...options.env, ...nodeOptions(options.nodeArgs) },
    readyTimeoutMs: 180_000,
    ...lineHandler(options.onLine),
    ...cwdOf(options),
  });
}

/** The API (GraphQL, graphql-ws, /v1, and the web app when PHOTOMAKER_WEB_DIR is set). */
export function startApiApp(options: ApiAppOptions): Promise<RunningNodeApp> {
  return startNodeApp({
    name: 'api',
    entry: APP_ENTRIES.api,
    args: ['--port', String(options.port ?? 0)],
    env: { ...options.env, ...nodeOptions(options.nodeArgs) },
    readyTimeoutMs: 120_000,
    ...lineHandler(options.onLine),
    ...cwdOf(options),
  });
}
