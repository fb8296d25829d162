import { randomUUID } from 'node:crypto';
import type { Logger } from '@photomaker/observability';
import { GraphQLError, type GraphQLError as GraphQLErrorType, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { AdmissionGate } from '../auth/admission.ts';
import type { Principal } from '../auth/api-keys.ts';
import { bearerToken } from '../auth/api-keys.ts';
import type { ApiConfig } from '../config.ts';
import { checkOperation, type OperationRequest, operationRules } from '../guards/operation-check.ts';
import { refuseUpgrade, type UpgradeHandler } from '../http/upgrade-routes.ts';
import type { ApiMetrics } from '../metrics.ts';
import type { GraphQLContext, GraphQLDeps } from './context.ts';
import { capErrors, classifyRequestError, formatGraphQLError, isInternal, refusalError } from './errors.ts';
import { schema } from './schema.ts';
import { sharedSubscribe } from './shared-subscribe.ts';
import { boundedSocketClass, DEFAULT_MAX_BUFFERED_BYTES } from './ws-backpressure.ts';
import { capBytesBeforeAuth } from './ws-bytes-before-auth.ts';

type SocketExtra = {
  principal?: Principal;
  connectionId?: string;
  [key: string]: unknown;
};

/** The API key from connectionParams: `{ authorization: 'Bearer <key>' }` (or `Authorization`, or `apiKey`). */
function keyFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  for (const name of ['authorization', 'Authorization']) {
    const value = params[name];
    if (typeof value === 'string') return bearerToken(value) ?? undefined;
  }
  return typeof params.apiKey === 'string' ? params.apiKey : undefined;
}

export interface WebSocketDeps {
  admission: Pick<AdmissionGate, 'authenticate' | 'charge'>;
  graphql: GraphQLDeps;
  limits: ApiConfig['limits'];
  /** A socket must send connection_init (with its key) within this, else it is closed (4408). */
  authTimeoutMs: number;
  /** Bytes a socket may send before its key is proven (PHOTOMAKER_ANONYMOUS_BODY_BYTES). */
  bytesBeforeAuth: number;
  logger: Logger;
  metrics: Pick<ApiMetrics, 'graphqlOperations'>;
  /** Bytes a socket may have unsent in this process before it is closed as a slow consumer (4008). */
  maxBufferedBytes?: number;
}

/**
 * graphql-ws on /graphql (same port as HTTP; server.ts routes the path's upgrades here). Auth once per
 * socket in onConnect (refused sockets close with 4403), rate limit and query limits per subscribe, and
 * the same error masking as HTTP: Apollo's formatError does not run here, so onNext/onError apply it.
 */
export function attachWebSockets(deps: WebSocketDeps): {
  /** The upgrades of /graphql (http/upgrade-routes.ts routes them here). */
  upgrade: UpgradeHandler;
  /**
   * Shutdown: refuse new sockets and close every open one with 1012 (service restart), on which
   * graphql-ws clients reconnect (to another replica) and resume their subscriptions by seq; waits
   * for the closes at most `waitMs`.
   */
  drain(waitMs: number): Promise<void>;
  dispose(): Promise<void>;
} {
  const { logger, metrics, limits, admission } = deps;
  const wsServer = new WebSocketServer({
    noServer: true,
    maxPayload: limits.bodyBytes,
    WebSocket: boundedSocketClass(deps.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES, (socket) =>
      logger.info({ bufferedBytes: socket.bufferedAmount }, 'websocket dropped: slow consumer'),
    ),
  });
  const preAuth = capBytesBeforeAuth(wsServer, deps.bytesBeforeAuth);
  // One rules array for the server's life: checkOperation keeps one validated document per text for it,
  // so 10,000 subscribers of one text share one document (and shared-subscribe.ts's key for it).
  const rules = operationRules(limits);
  const check = (request: OperationRequest) => checkOperation(schema, request, limits, rules);
  const mask = (errors: readonly GraphQLErrorType[], requestId?: string) =>
    capErrors(
      errors.map((raw) => {
        const error = classifyRequestError(raw);
        if (isInternal(error))
          logger.error({ err: error.originalError ?? error, requestId }, 'internal error (masked)');
        return formatGraphQLError(error.toJSON(), error, {});
      }),
    );

  const cleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      subscribe: sharedSubscribe,
      connectionInitWaitTimeout: deps.authTimeoutMs,
      onConnect: (ctx) => {
        const admitted = admission.authenticate({
          apiKey: keyFromParams(ctx.connectionParams),
          transport: 'ws',
          ip: ctx.extra.request.socket.remoteAddress,
        });
        if (!admitted.ok) {
          logger.info({ refusal: admitted.refusal.kind }, 'websocket refused');
          return false;
        }
        preAuth.authenticated(ctx.extra.socket);
        // The upgrade request (headers, parser state) is not needed again: not kept per connection.
        Reflect.deleteProperty(ctx.extra, 'request');
        ctx.extra.principal = admitted.principal;
        ctx.extra.connectionId = randomUUID();
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const principal = ctx.extra.principal;
        if (!principal)
          return [new GraphQLError('Unauthenticated', { extensions: { code: 'UNAUTHENTICATED' } })];
        const charged = await admission.charge(principal, 'ws');
        if (!charged.ok) return [refusalError(charged.refusal).error];
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerSocket) {
          return [
            new GraphQLError(`At most ${limits.subscriptionsPerSocket} subscriptions per connection`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        const document = check(payload);
        if (Array.isArray(document)) return document;
        const requestId = `${ctx.extra.connectionId}:${id}`;
        const contextValue: GraphQLContext = {
          tenant: principal.tenant,
          keyId: principal.keyId,
          admin: principal.admin === true,
          limits: principal.limits,
          defaultPriority: principal.defaults?.priority,
          defaultReferenceCheck: principal.defaults?.referenceCheck,
          requestId,
          // Made on first use: a child logger per subscription is most of its context's bytes.
          get logger() {
            const child = logger.child({ requestId, tenant: principal.tenant, transport: 'ws' });
            Object.defineProperty(this, 'logger', { value: child });
            return child;
          },
          deps: deps.graphql,
          transport: 'ws',
        };
        const operation = getOperationAST(document, payload.operationName)?.operation ?? 'unknown';
        metrics.graphqlOperations.inc({
          transport: 'ws',
          type: operation,
          name: payload.operationName ?? 'anonymous',
          outcome: 'started',
        });
        return {
          schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        const requestId = (args.contextValue as GraphQLContext | undefined)?.requestId;
        const errors = mask(result.errors as unknown as GraphQLErrorType[], requestId);
        // graphql-ws's result types come from graphql-js, written before exactOptionalPropertyTypes.
        return {
          errors,
          ...(result.data !== undefined ? { data: result.data } : {}),
          ...(result.extensions !== undefined ? { extensions: result.extensions } : {}),
        };
      },
      onError: (_ctx, _id, _payload, errors) => mask(errors),
    },
    wsServer,
  );

  let draining = false;
  return {
    upgrade(request, socket, head) {
      if (draining) return refuseUpgrade(socket, 503, 'Service Unavailable');
      wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
    },
    async drain(waitMs) {
      draining = true;
      const open = [...wsServer.clients].filter((socket) => socket.readyState === WebSocket.OPEN);
      const closed = open.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      // graphql-ws's own dispose says 1001 (going away), which tells a client the server is gone for good.
      for (const socket of open) socket.close(1012, 'service restart');
      await Promise.race([
        Promise.all(closed),
        new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
      ]);
      for (const socket of open) if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
    },
    async dispose() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
