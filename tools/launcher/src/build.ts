import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from '@photomaker/harness';

export interface BuildResult {
  packages: string[];
  /** How many of the turbo tasks came from its cache. */
  cached: number;
  total: number;
}

export class BuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildError';
  }
}

/**
 * `turbo run build` for the apps that have a build step (the web app's Vite bundle; a worker workflow
 * bundle if it has one). Turbo's cache makes the second start cost well under a second here.
 */
export async function buildApps(options: {
  rootDir: string;
  packages: string[];
  onLine: (line: string) => void;
}): Promise<BuildResult> {
  if (options.packages.length === 0) return { packages: [], cached: 0, total: 0 };
  const turbo = join(options.rootDir, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) {
    throw new BuildError(
      `turbo is not installed: run \`npm start\` (it installs the workspace) rather than node directly`,
    );
  }
  const args = ['run', 'build', '--output-logs=new-only', '--log-prefix=task'];
  for (const name of options.packages) args.push(`--filter=${name}`);
  const child = new ManagedProcess({
    name: 'build',
    command: turbo,
    args,
    cwd: options.rootDir,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', FORCE_COLOR: '0' },
    onLine: options.onLine,
    keepLines: 400,
  });
  const { code, signal } = await child.exited;
  const tail = child.tail(400);
  if (code !== 0) {
    throw new BuildError(`the build failed (turbo exit ${code ?? signal}):\n${child.tail(30)}`);
  }
  const summary = /Cached:\s+(\d+) cached, (\d+) total/.exec(tail);
  return {
    packages: options.packages,
    cached: Number(summary?.[1] ?? 0),
    total: Number(summary?.[2] ?? 0),
  };
}
