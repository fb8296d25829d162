import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '../managed-process.ts';
import { repoRoot } from '../paths.ts';

/**
 * `turbo run build --filter=@photomaker/worker`, as the launcher does before it starts the worker: the
 * prebuilt workflow bundle makes each worker (re)start take about a second instead of a webpack run, which
 * matters when chaos restarts it every few seconds. Turbo's cache makes a repeat nearly free.
 */
export async function buildWorkerBundle(onLine?: (line: string) => void): Promise<void> {
  const turbo = join(repoRoot, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) throw new Error('turbo is not installed: run through `pnpm bench` / `pnpm chaos`');
  const child = new ManagedProcess({
    name: 'build',
    command: turbo,
    args: ['run', 'build', '--filter=@photomaker/worker', '--output-logs=errors-only', '--log-prefix=task'],
    cwd: repoRoot,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', FORCE_COLOR: '0' },
    ...(onLine ? { onLine } : {}),
  });
  const { code, signal } = await child.exited;
  if (code !== 0)
    throw new Error(`building the worker's workflow bundle failed (${code ?? signal}):\n${child.tail(30)}`);
}
