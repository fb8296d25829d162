import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from './paths.ts';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && executable(candidate)) return candidate;
  }
  return undefined;
}

const HOW = 'run `npm test` or `npm start` once (they install it), or `bash tooling/bootstrap/run.sh --need';

/** The Temporal CLI: $TEMPORAL_CLI, else the one the bootstrap installed, else `temporal` on PATH. */
export function temporalCli(): string {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv && executable(fromEnv)) return fromEnv;
  const tools = join(repoRoot, '.tools');
  try {
    for (const entry of readdirSync(tools).filter((e) => e.startsWith('temporal-'))) {
      const candidate = join(tools, entry, 'bin', 'temporal');
      if (executable(candidate)) return candidate;
    }
  } catch {
    // no .tools yet
  }
  const found = onPath('temporal');
  if (found) return found;
  throw new Error(`Temporal CLI not found: ${HOW} temporal true\``);
}

/** redis-server: $REDIS_SERVER, else on PATH (Debian package redis-server). */
export function redisServer(): string {
  const fromEnv = process.env.REDIS_SERVER;
  if (fromEnv && executable(fromEnv)) return fromEnv;
  const found =
    onPath('redis-server') ?? (executable('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined);
  if (found) return found;
  throw new Error(`redis-server not found: ${HOW} redis true\``);
}

/** Debian's Chromium for browser tests. */
export function chromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv && executable(fromEnv)) return fromEnv;
  if (executable('/usr/bin/chromium')) return '/usr/bin/chromium';
  throw new Error(`chromium not found: ${HOW} chromium true\``);
}

/**
 * versitygw (an S3 server over a posix directory): $VERSITYGW, else the build the bootstrap cached in
 * .tools/bin (`--need versitygw`), else `versitygw` on PATH.
 */
export function versitygw(): string {
  const fromEnv = process.env.VERSITYGW;
  if (fromEnv && executable(fromEnv)) return fromEnv;
  const bin = join(repoRoot, '.tools', 'bin');
  try {
    const builds = readdirSync(bin)
      .filter((e) => e.startsWith('versitygw-'))
      .sort();
    const newest = builds.at(-1);
    if (newest && executable(join(bin, newest))) return join(bin, newest);
  } catch {
    // no .tools yet
  }
  const found = onPath('versitygw');
  if (found) return found;
  throw new Error(`versitygw not found: ${HOW} versitygw true\``);
}
