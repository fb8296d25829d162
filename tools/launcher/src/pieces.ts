import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ENTRIES } from '@photomaker/harness';

/** The apps the stack runs (entry points from the harness), and what is lost without each. */
export const APPS = {
  emulator: {
    label: 'Runware emulator',
    dir: 'apps/runware-emulator',
    entry: APP_ENTRIES.emulator,
    without: 'no local Runware: set RUNWARE_API_KEY to use the real one',
  },
  worker: {
    label: 'worker',
    dir: 'apps/worker',
    entry: APP_ENTRIES.worker,
    without: 'jobs are accepted but never run',
  },
  api: {
    label: 'API',
    dir: 'apps/api',
    entry: APP_ENTRIES.api,
    without: 'no GraphQL, no /v1, and nothing serves the web app',
  },
  web: {
    label: 'web app',
    dir: 'apps/web',
    entry: 'apps/web/package.json',
    without: 'the API serves no browser app at /',
  },
} as const;

export type AppName = keyof typeof APPS;

export interface Piece {
  name: AppName;
  present: boolean;
  /** The workspace package name, for turbo filters. */
  packageName?: string;
  /** Whether its package.json has a build script. */
  builds: boolean;
}

export function findPieces(rootDir: string): Record<AppName, Piece> {
  const out = {} as Record<AppName, Piece>;
  for (const name of Object.keys(APPS) as AppName[]) {
    const app = APPS[name];
    const present = existsSync(join(rootDir, app.entry));
    let packageName: string | undefined;
    let builds = false;
    const manifest = join(rootDir, app.dir, 'package.json');
    if (present && existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        scripts?: Record<string, string>;
      };
      packageName = pkg.name;
      builds = Boolean(pkg.scripts?.build);
    }
    out[name] = { name, present, builds, ...(packageName ? { packageName } : {}) };
  }
  return out;
}
