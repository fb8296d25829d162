// `node apps/api/src/main.ts [--port N]`: the API process (its environment: src/env.ts, read by config.ts).
import { createLogger } from '@photomaker/observability';
import { startTracing } from '@photomaker/observability/tracing';
import { isSettingsFailure, probeTemporal } from '@photomaker/temporal/connection';
import { configFromEnv } from './config.ts';
import { createApiServer, SHUTDOWN_BOUND_MS } from './server.ts';

const logger = createLogger({ service: 'api' });

try {
  const config = configFromEnv(process.env, process.argv.slice(2));
  // Checked once, beside the start: bad TLS or credentials end the process with the reason; a
  // Temporal (or namespace) that is merely not there yet only makes /readyz answer 503 until it is.
  const probe = probeTemporal(config.temporal);
  // Before the server makes any span; the env schema (configFromEnv) already checked the OTEL_* variables.
  const tracing = startTracing({ service: 'api' });
  if (tracing.enabled) logger.info({ endpoint: tracing.endpoint }, 'tracing on: exporting spans over OTLP');
  const server = await createApiServer(config, { logger, tracing: tracing.enabled });
  const url = await server.listen();
  logger.info(
    {
      url,
      temporal: config.temporal.address,
      temporalSecurity: config.temporal.security,
      tenants: server.parts.tenants.current.tenants.length,
    },
    `listening on ${url}`,
  );
  probe.then((result) => {
    if (result.ok) return;
    if (!isSettingsFailure(result.kind)) {
      logger.warn(`${result.message}; /readyz answers 503 until it does`);
      return;
    }
    logger.fatal(result.message);
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_BOUND_MS);
    force.unref();
    server
      .close()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  // SIGHUP: reload the tenants file now (a bad one is logged and the previous tenants stay in force).
  process.on('SIGHUP', () => server.parts.tenants.reload('signal'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
} catch (error) {
  logger.fatal({ err: error }, 'api failed to start');
  process.exit(1);
}
