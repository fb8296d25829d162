import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import { callerLinks, createLogger, type Logger } from '@photomaker/observability';
import cors from 'cors';
import express, { type ErrorRequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { type ApiParts, composeApi, graphqlDeps } from './composition.ts';
import type { ApiConfig } from './config.ts';
import { v1Routes } from './gateway/v1/routes.ts';
import { attachV1Socket } from './gateway/v1-ws/socket-server.ts';
import { createApollo } from './graphql/apollo.ts';
import type { GraphQLContext } from './graphql/context.ts';
import { type AdmittedLocals, admitGraphQL } from './graphql/http-admission.ts';
import { attachWebSockets } from './graphql/ws.ts';
import { capConnections } from './http/connection-caps.ts';
import { imageRoutes } from './http/image-routes.ts';
import { opsRoutes } from './http/ops-routes.ts';
import { requestIdFrom } from './http/request-id.ts';
import { closeIfBodyUnread } from './http/unread-body.ts';
import { routeUpgrades } from './http/upgrade-routes.ts';
import { webRoutes } from './http/web-routes.ts';

export interface ApiServer {
  /** The process's pieces (composition.ts): for main.ts's log line and for tests. */
  readonly parts: ApiParts;
  readonly httpServer: Server;
  /** Binds and resolves with the base URL (http://127.0.0.1:<port>). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The longest a SIGTERM'd API takes to exit (main.ts force-exits after it): sockets get 2 s to close,
 * in-flight HTTP requests Apollo's drain (10 s). A process manager's grace time must exceed it.
 */
export const SHUTDOWN_BOUND_MS = 15_000;

/** How long a shutdown waits for graphql-ws clients to answer the 1012 close (as /v1's bound). */
const WS_DRAIN_MS = 2_000;

interface Locals extends AdmittedLocals {
  requestId: string;
}

/** An error that reached express's handler: Runware's code (/v1) and GraphQL's, by kind. */
const ERROR_CODES = {
  tooLarge: ['payloadTooLarge', 'PAYLOAD_TOO_LARGE'],
  internal: ['internalServerError', 'INTERNAL_SERVER_ERROR'],
  bad: ['invalidRequest', 'BAD_REQUEST'],
} as const;

function errorAnswer(
  error: { status?: unknown; type?: unknown } | undefined,
  bodyBytes: number,
): { status: number; kind: keyof typeof ERROR_CODES; message: string } {
  const status = typeof error?.status === 'number' ? error.status : 500;
  if (error?.type === 'entity.too.large')
    return {
      status,
      kind: 'tooLarge',
      message: `Request body exceeds the limit of ${bodyBytes} bytes (PHOTOMAKER_MAX_BODY_BYTES)`,
    };
  return status >= 500
    ? { status, kind: 'internal', message: 'Internal server error' }
    : { status, kind: 'bad', message: 'Bad request' };
}

/**
 * Express app + one http.Server + graphql-ws (/graphql) and Runware's WebSocket (/v1) on the same port.
 * Stateless: run as many as you like.
 */
export async function createApiServer(
  config: ApiConfig,
  /** `tracing`: this process traces (startTracing in main.ts): workflow starts carry the job's trace. */
  options: { logger?: Logger; tracing?: boolean } = {},
): Promise<ApiServer> {
  const logger = options.logger ?? createLogger({ service: 'api' });
  for (const warning of config.warnings) logger.warn(warning);
  const parts = await composeApi(config, logger, { tracing: options.tracing ?? false });
  const { admission, metrics } = parts;
  const deps = graphqlDeps(parts, config);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const httpServer = createServer(
    {
      // A client has this long for its headers, and for its whole request; checked every second
      // (Node's default check runs every 30 s, which would let a slow sender far past the deadline).
      headersTimeout: config.edge.headersTimeoutMs,
      requestTimeout: config.edge.requestTimeoutMs,
      connectionsCheckingInterval: 1_000,
    },
    app,
  );
  // Keep-alive longer than typical proxies' so they close first (no reset races).
  httpServer.keepAliveTimeout = 65_000;
  capConnections(httpServer, {
    total: config.edge.maxConnections,
    perAddress: config.edge.maxConnectionsPerIp,
  });
  const ws = attachWebSockets({
    admission,
    graphql: deps,
    limits: config.limits,
    authTimeoutMs: config.edge.wsAuthTimeoutMs,
    bytesBeforeAuth: config.edge.anonymousBodyBytes,
    logger,
    metrics,
  });
  const v1Socket = attachV1Socket({
    admission,
    follow: parts.follow,
    submit: parts.submit,
    estimate: parts.estimate,
    reads: parts.reads,
    queue: parts.queue,
    intake: parts.intake,
    redis: parts.redis,
    blobs: parts.blobs,
    imageUrls: parts.imageUrls,
    metrics,
    registry: metrics.registry,
    logger,
    socket: config.v1Socket,
    limits: config.limits,
    edge: config.edge,
  });
  routeUpgrades(httpServer, { '/graphql': ws.upgrade, '/v1': v1Socket.upgrade });
  const apollo = createApollo({ limits: config.limits, metrics }, httpServer, () => ws.dispose());
  await apollo.start();

  app.use((req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    (res.locals as Locals).requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = /^\/(graphql|v1|images|healthz|readyz|metrics)/.exec(req.path)?.[0] ?? 'other';
      metrics.httpDuration.observe(
        { method: req.method, route, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    next();
  });
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => (res as express.Response).locals.requestId as string,
      autoLogging: { ignore: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? '') },
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          // An image path names its blob's sha256: a face's digest stays out of logs (erasure cannot reach them).
          url: req.url?.split('?')[0]?.replace(/[0-9a-f]{64}/gi, '[sha256]'),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );

  if (config.corsOrigins.length > 0) {
    // Before auth: a browser's preflight carries no Authorization header. Keys travel in a header, never
    // in cookies, so credentials stay off.
    app.use(
      ['/graphql', '/v1', '/images'],
      cors({
        origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight'],
        exposedHeaders: ['x-request-id', 'retry-after'],
        maxAge: 600,
      }),
    );
  }
  app.use(opsRoutes(parts, { metricsToken: config.metricsToken }));
  app.use(imageRoutes({ urlSecret: config.urlSecret, blobs: parts.blobs, redirect: parts.imageRedirect }));
  app.use(
    v1Routes({
      admission,
      submit: parts.submit,
      estimate: parts.estimate,
      reads: parts.reads,
      queue: parts.queue,
      intake: parts.intake,
      uploads: parts.redis,
      blobs: parts.blobs,
      imageUrls: parts.imageUrls,
      metrics,
      logger,
      limits: config.limits,
      edge: config.edge,
    }),
  );

  app.use(
    '/graphql',
    admitGraphQL(admission),
    express.json({ limit: config.limits.bodyBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const locals = res.locals as Locals;
        const tenant = locals.principal?.tenant ?? '';
        return {
          tenant,
          keyId: locals.principal?.keyId,
          admin: locals.principal?.admin === true,
          limits: locals.principal?.limits ?? {},
          defaultPriority: locals.principal?.defaults?.priority,
          defaultReferenceCheck: locals.principal?.defaults?.referenceCheck,
          requestId: locals.requestId,
          logger: logger.child({ requestId: locals.requestId, tenant }),
          deps,
          transport: 'http',
          traceLinks: callerLinks(req.headers),
        };
      },
    }),
  );

  app.use(webRoutes(config));

  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const answer = errorAnswer(error, config.limits.bodyBytes);
    if (answer.status >= 500)
      logger.error({ err: error, requestId: (res.locals as Locals).requestId }, 'request failed');
    if (res.headersSent) return;
    closeIfBodyUnread(req, res);
    const [v1Code, graphqlCode] = ERROR_CODES[answer.kind];
    const body = req.path.startsWith('/v1')
      ? { errors: [{ code: v1Code, message: answer.message }] }
      : { errors: [{ message: answer.message, extensions: { code: graphqlCode } }] };
    res.status(answer.status).json(body);
  };
  app.use(onError);

  let closed = false;
  return {
    parts,
    httpServer,
    async listen() {
      httpServer.listen(config.port, config.host);
      await once(httpServer, 'listening');
      const { port } = httpServer.address() as AddressInfo;
      const url = `http://${config.host}:${port}`;
      if (!config.publicUrl) parts.imageUrls.publicUrl = url;
      return url;
    },
    async close() {
      if (closed) return;
      closed = true;
      // Sockets first, with 1012 (service restart), on which clients reconnect (to another replica): the
      // /v1 sessions resume from Redis, graphql-ws subscribers resume by seq. Both at once, each bounded.
      await Promise.all([v1Socket.close(), ws.drain(WS_DRAIN_MS)]);
      // Apollo's drain plugins stop HTTP (in-flight requests finish) and the WebSocket server.
      await apollo.stop();
      if (httpServer.listening) httpServer.close();
      await parts.close();
    },
  };
}
