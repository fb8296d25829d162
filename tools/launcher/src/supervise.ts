import { helpText, UsageError } from './cli-args.ts';
import { ConfigError } from './config.ts';
import { configFromProcess } from './load.ts';
import { Reporter } from './reporter.ts';
import { Stack, StackError } from './stack.ts';

// The supervisor process, started detached by main.ts (see there why). Also runnable directly.

const { flags, config } = (() => {
  try {
    return configFromProcess(process.argv.slice(2), process.env);
  } catch (error) {
    const known = error instanceof UsageError || error instanceof ConfigError;
    process.stderr.write(`error: ${known ? (error as Error).message : String(error)}\n`);
    process.exit(known && error instanceof UsageError ? 2 : 1);
  }
})();
if (flags.help || !config) {
  process.stdout.write(helpText());
  process.exit(0);
}

// Output may go to a pipe that dies first (`npm start | tee log`, and Ctrl-C also kills tee): lost
// output must never turn into an error loop or stop the shutdown.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const reporter = new Reporter({ verbose: config.verbose });
const stack = new Stack(config, reporter);
let shuttingDown: Promise<never> | undefined;

function shutdown(code: number, why?: string): Promise<never> {
  shuttingDown ??= (async () => {
    if (why) reporter.line(`\n${why}`);
    await stack.stop();
    reporter.line(code === 0 ? 'stopped.' : 'stopped after an error.');
    process.exit(code);
  })();
  return shuttingDown;
}

let signals = 0;
function onSignal(): void {
  signals += 1;
  if (signals === 1) {
    void shutdown(0, 'stopping every service (Ctrl-C again to kill them at once)…');
    return;
  }
  reporter.line('killing every service now.');
  void stack.kill().finally(() => process.exit(130));
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
// main.ts went away (killed, terminal closed): nobody is left to press Ctrl-C, so stop.
process.on('disconnect', onSignal);

process.on('uncaughtException', (error) => {
  if ((error as NodeJS.ErrnoException).code !== 'EPIPE')
    reporter.error(`launcher bug: ${error.stack ?? error}`);
  void shutdown(1);
});

try {
  await stack.start();
} catch (error) {
  if (shuttingDown) await shuttingDown;
  if (error instanceof StackError) reporter.error(error.message);
  else reporter.error(`launcher bug: ${(error as Error).stack ?? error}`);
  await shutdown(1);
}

const fatal = await stack.failed;
reporter.error(fatal);
await shutdown(1);
