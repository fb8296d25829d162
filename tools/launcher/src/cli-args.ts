import { parseArgs } from 'node:util';
import { CONFIG_VARIABLES } from './config.ts';

export interface CliFlags {
  port?: string;
  dataDir?: string;
  runware?: 'emulator' | 'real';
  envFile?: string;
  verbose?: boolean;
  help?: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags only; every setting also has an environment variable (see CONFIG_VARIABLES). */
export function parseCliArgs(argv: string[]): CliFlags {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.emulator && values['real-runware']) {
    throw new UsageError('--emulator and --real-runware exclude each other: pick one');
  }
  const flags: CliFlags = {};
  if (values.port !== undefined) flags.port = values.port;
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values.dotenv !== undefined) flags.envFile = values.dotenv;
  if (values.emulator) flags.runware = 'emulator';
  if (values['real-runware']) flags.runware = 'real';
  if (values.verbose) flags.verbose = true;
  if (values.help) flags.help = true;
  return flags;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', short: 'p' },
      'data-dir': { type: 'string' },
      // Not --env-file: Node itself reads that flag even after the script name and would exit 9.
      dotenv: { type: 'string' },
      emulator: { type: 'boolean' },
      'real-runware': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export function helpText(): string {
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length));
  const vars = CONFIG_VARIABLES.map(
    (v) =>
      `  ${v.name.padEnd(width)}  ${v.description.replaceAll('`', '')} (default: ${v.default.replaceAll('`', '')})`,
  ).join('\n');
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
${vars}
`;
}
