import { apiEnv } from '@photomaker/api/env';
import { type EnvInput, parseEnv } from '@photomaker/env';
import { emulatorEnv } from '@photomaker/runware-emulator/env';
import { workerEnv } from '@photomaker/worker/env';
import { z } from 'zod';
import { launcherEnv } from './env.ts';

/** The apps the launcher starts, with the env schema each reads (the app's src/env.ts). */
export const APP_ENVS = {
  api: { label: 'the API', schema: apiEnv },
  worker: { label: 'the worker', schema: workerEnv },
  emulator: { label: 'the Runware emulator', schema: emulatorEnv },
} as const;

export type ChildApp = keyof typeof APP_ENVS;
export const APP_NAMES = Object.keys(APP_ENVS) as ChildApp[];

/** Variables of an app's schema that only the launcher sets (the others it decides are in launcherEnv). */
export const SET_BY_LAUNCHER: Record<ChildApp, readonly string[]> = {
  api: ['PHOTOMAKER_WEB_DIR', 'PHOTOMAKER_WEB_DEMO_KEY', 'PHOTOMAKER_TEMPORAL_UI_URL'],
  worker: [],
  emulator: ['RUNWARE_EMULATOR_KEYS'],
} satisfies {
  api: (keyof typeof apiEnv.shape)[];
  worker: (keyof typeof workerEnv.shape)[];
  emulator: (keyof typeof emulatorEnv.shape)[];
};

/** An app's variables the launcher neither decides nor sets: they reach the app as the user wrote them. */
export function passThroughNames(app: ChildApp): string[] {
  const set = new Set(SET_BY_LAUNCHER[app]);
  return Object.keys(APP_ENVS[app].schema.shape).filter(
    (name) => !(name in launcherEnv.shape) && !set.has(name),
  );
}

/** Every name some process reads: a `.env` name near none of them is likely a typo. */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  ...Object.keys(launcherEnv.shape),
  ...APP_NAMES.flatMap((app) => Object.keys(APP_ENVS[app].schema.shape)),
]);

/**
 * The pass-through variables, checked with each app's own rules before anything starts, so a bad
 * value is a line here rather than a crash of one service after the others started.
 */
export function passThroughProblems(env: EnvInput): string[] {
  const problems = new Set<string>();
  for (const app of APP_NAMES) {
    const shape = APP_ENVS[app].schema.shape as Record<string, z.ZodType>;
    const subset = z.object(
      Object.fromEntries(passThroughNames(app).map((name) => [name, shape[name] as z.ZodType])),
    );
    const parsed = parseEnv(subset, env);
    if (!parsed.ok) for (const problem of parsed.problems) problems.add(problem);
  }
  return [...problems];
}
