import { type EnvRow, envRows } from '@photomaker/env';
import { APP_ENVS, APP_NAMES, type ChildApp, passThroughNames, SET_BY_LAUNCHER } from './app-envs.ts';
import { launcherEnv } from './env.ts';

/**
 * The configuration reference, generated from the env schemas (the launcher's src/env.ts and each
 * app's src/env.ts): README.md embeds exactly this (test/readme.test.ts, `pnpm docs` rewrites it), and
 * `--help` prints the same rows.
 */

export function launcherRows(): EnvRow[] {
  return envRows(launcherEnv);
}

/** An app's variables the launcher neither decides nor sets: they reach the app as the user wrote them. */
export function passThroughRows(app: ChildApp): EnvRow[] {
  const names = new Set(passThroughNames(app));
  return envRows(APP_ENVS[app].schema).filter((row) => names.has(row.name));
}

function tableMarkdown(rows: EnvRow[]): string {
  const lines = rows.map(
    (row) =>
      `| \`${row.name}\` | ${row.default} | ${row.description}${row.secret ? ' (secret: never echoed)' : ''} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...lines].join('\n');
}

/** The launcher README's configuration reference: the launcher's settings, then each app's own. */
export function configTableMarkdown(): string {
  const sections = APP_NAMES.map(
    (app) => `Passed through unchanged to ${APP_ENVS[app].label}:\n\n${tableMarkdown(passThroughRows(app))}`,
  );
  const setByLauncher = APP_NAMES.filter((app) => SET_BY_LAUNCHER[app].length > 0).map(
    (app) => `${SET_BY_LAUNCHER[app].map((name) => `\`${name}\``).join(', ')} (${APP_ENVS[app].label})`,
  );
  return [
    tableMarkdown(launcherRows()),
    ...sections,
    `Set by the launcher itself, not by you: ${setByLauncher.join('; ')}.`,
  ].join('\n\n');
}

/** The variables the repository README shows (the ones most people touch). */
const SUMMARY_VARIABLES = [
  'PORT',
  'PHOTOMAKER_API_KEYS',
  'RUNWARE_API_KEY',
  'TEMPORAL_ADDRESS',
  'REDIS_URL',
  'PHOTOMAKER_DATA_DIR',
  'PHOTOMAKER_PAYLOAD_KEYS',
  'PHOTOMAKER_ALLOW_PRIVATE_URLS',
  'PHOTOMAKER_CORS_ORIGINS',
  'LOG_LEVEL',
] as const;

/** Every documented row by name: the launcher's wins over an app's. */
function allRows(): Map<string, EnvRow> {
  const rows = new Map<string, EnvRow>();
  for (const row of [...APP_NAMES.flatMap(passThroughRows), ...launcherRows()]) rows.set(row.name, row);
  return rows;
}

export function configSummaryMarkdown(): string {
  const rows = allRows();
  return tableMarkdown(
    SUMMARY_VARIABLES.map((name) => {
      const row = rows.get(name);
      if (!row) throw new Error(`${name} is in no env schema`);
      return row;
    }),
  );
}
