// `node apps/api/src/main.ts [--port N]`: the API process (its environment: src/env.ts, read by config.ts).
import { createLogger } from '@photomaker/observability';
import { configFromEnv } from './config.ts';
import { createApiServer } from './server.ts';

const logger = createLogger({ service: 'api' });

try {
  const config = configFromEnv(process.env, process.argv.slice(2));
  const server = await createApiServer(config, { logger });
  const url = await server.listen();
  logger.info(
    { url, temporal: config.temporalAddress, tenants: server.parts.tenants.current.tenants.length },
    `listening on ${url}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    server.close().then(
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
