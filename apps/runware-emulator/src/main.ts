import { createLogger } from '@photomaker/observability';
import { CliError, HELP, parseCli } from './config/cli.ts';
import { createEmulator } from './emulator.ts';

/** `pnpm emulator [--port 8787] ...`: prints one `listening on http://127.0.0.1:<port>` line when ready. */
async function main(): Promise<void> {
  let config: ReturnType<typeof parseCli>;
  try {
    config = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`runware-emulator: ${error.message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    throw error;
  }
  if (config.help) {
    process.stdout.write(HELP);
    return;
  }
  const logger = createLogger({ service: 'runware-emulator', level: config.logLevel });
  let emulator: Awaited<ReturnType<typeof createEmulator>>;
  try {
    emulator = await createEmulator({ ...config.options, logger });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      process.stderr.write(
        `runware-emulator: port ${config.options.port} is already in use: stop what holds it or pass --port <other>\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const latency = emulator.context.latency;
  logger.info(
    {
      url: emulator.url,
      rest: emulator.restUrl,
      websocket: emulator.wsUrl,
      keys: config.keyCount,
      devKey: config.devKey,
      latency,
      balance: emulator.context.ledger.snapshot().balance,
    },
    `runware-emulator listening on ${emulator.url} (REST + WebSocket at /v1, admin at /admin)`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'runware-emulator stopping');
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'runware-emulator failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

await main();
