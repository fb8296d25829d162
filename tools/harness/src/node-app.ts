import { join } from 'node:path';
import { ManagedProcess } from './managed-process.ts';
import { repoRoot } from './paths.ts';

export interface NodeAppOptions {
  name: string;
  /** Entry file relative to the repo root, e.g. apps/runware-emulator/src/main.ts. */
  entry: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Working directory (default the repo root); a replica of the cluster run gets its own. */
  cwd?: string;
  /**
   * A line the app prints once it serves. Contract for our apps: one stdout line containing
   * `listening on http://127.0.0.1:<port>` (structured logs may wrap it in JSON).
   */
  readyPattern?: RegExp;
  readyTimeoutMs?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunningNodeApp {
  /** The URL from the ready line, when the pattern captured one. */
  url?: string;
  process: ManagedProcess;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export const LISTENING = /listening on (https?:\/\/[^\s"',]+)/;

/** Runs one of our apps with this Node (type stripping runs the TypeScript sources directly). */
export async function startNodeApp(options: NodeAppOptions): Promise<RunningNodeApp> {
  const child = new ManagedProcess({
    name: options.name,
    command: process.execPath,
    args: [join(repoRoot, options.entry), ...(options.args ?? [])],
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, ...options.env },
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const pattern = options.readyPattern ?? LISTENING;
  const match = await child.readyOrKill(child.waitForLine(pattern, options.readyTimeoutMs ?? 60_000));
  return {
    ...(match[1] ? { url: match[1] } : {}),
    process: child,
    stop: (graceMs) => child.stop(graceMs),
    kill: () => child.kill(),
  };
}
