import { parseArgs } from 'node:util';
import type { CliFlags } from './cli-flags.ts';

export type { CliFlags } from './cli-flags.ts';
// main.ts and supervise.ts print it with the usage errors this file raises.
export { helpText } from './help.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags only; every setting also has an environment variable (see env.ts). */
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
