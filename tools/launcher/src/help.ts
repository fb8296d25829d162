import type { EnvRow } from '@photomaker/env';
import { APP_ENVS, APP_NAMES } from './app-envs.ts';
import { launcherRows, passThroughRows } from './config-table.ts';

const plain = (text: string) => text.replaceAll('`', '');

function rowLines(rows: EnvRow[], width: number): string {
  return rows
    .map((row) => `  ${row.name.padEnd(width)}  ${plain(row.description)} (default: ${plain(row.default)})`)
    .join('\n');
}

/** `--help`: the flags, then every setting with the same words as the README (config-table.ts). */
export function helpText(): string {
  const launcher = launcherRows();
  const apps = APP_NAMES.map((app) => ({ app, rows: passThroughRows(app) }));
  const width = Math.max(...[launcher, ...apps.map((a) => a.rows)].flat().map((row) => row.name.length));
  const appSections = apps
    .map(({ app, rows }) => `Passed through unchanged to ${APP_ENVS[app].label}:\n${rowLines(rows, width)}`)
    .join('\n\n');
  return `Usage: npm start [-- options]     (or: node tools/launcher/src/main.ts [options])

Builds and starts the whole PhotoMaker platform on 127.0.0.1: Temporal dev server + Web UI, redis-server,
the Runware emulator (or the real Runware), the worker, the GraphQL API and the web app. Prints the URLs and
a line starting with "ready:" once everything is healthy. Ctrl-C stops everything.

Options:
  -p, --port <port>      API + web app port (default 4000; env PORT)
      --data-dir <dir>   data directory (default .data; env PHOTOMAKER_DATA_DIR)
      --dotenv <file>    read settings from this file instead of ./.env
      --emulator         use the Runware emulator even when RUNWARE_API_KEY is set
      --real-runware     use the real Runware (needs RUNWARE_API_KEY)
  -v, --verbose          show every service's log lines (they always go to <data dir>/logs/)
  -h, --help             this text

Settings (environment variables, or KEY=value lines in .env; the environment wins over .env):
${rowLines(launcher, width)}

${appSections}
`;
}
