import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { helpText, UsageError } from './cli-args.ts';
import { ConfigError } from './config.ts';
import { configFromProcess } from './load.ts';
import { Reporter } from './reporter.ts';

// `npm start`: validates the configuration, then runs the supervisor (supervise.ts) in its own session.
// Why two processes: Ctrl-C sends SIGINT to the terminal's whole foreground process group, which would hit
// every child at once (Temporal before the worker that still talks to it). The supervisor and its children
// live outside that group; this process turns each Ctrl-C into one SIGTERM for the supervisor, which stops
// the children in reverse order of start. If this process dies, the supervisor notices (IPC disconnect) and
// stops everything too.

const argv = process.argv.slice(2);
// See supervise.ts: a closed output pipe must not crash the process that forwards Ctrl-C.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
const reporter = new Reporter({ verbose: false });

try {
  const { flags } = configFromProcess(argv, process.env);
  if (flags.help) {
    process.stdout.write(helpText());
    process.exit(0);
  }
} catch (error) {
  if (error instanceof UsageError) {
    reporter.error(`${error.message}\n(run with --help for the options)`);
    process.exit(2);
  }
  if (error instanceof ConfigError) {
    reporter.error(
      `${error.message}\n(set them in the environment or in .env; run with --help for every setting)`,
    );
    process.exit(1);
  }
  reporter.error((error as Error).message);
  process.exit(1);
}

const supervisor = spawn(
  process.execPath,
  [fileURLToPath(new URL('./supervise.ts', import.meta.url)), ...argv],
  {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  },
);

let firstSignalAt = 0;
const forward = (signal: NodeJS.Signals) => {
  const now = Date.now();
  // One Ctrl-C under `npm start` arrives twice (from the terminal and forwarded by npm): count it once.
  if (firstSignalAt !== 0 && now - firstSignalAt < 1_000) return;
  const first = firstSignalAt === 0;
  if (first) firstSignalAt = now;
  // First press: graceful stop. A later one: the supervisor kills what is left.
  if (supervisor.exitCode === null) supervisor.kill(first ? 'SIGTERM' : 'SIGINT');
  if (signal === 'SIGHUP' && supervisor.connected) supervisor.disconnect();
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => forward(signal));

supervisor.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 + 15 : 1));
});
