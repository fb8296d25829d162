import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLError } from 'graphql';
import type { ApiConfig } from '../config.ts';
import { complexityError, limitRules } from '../guards/query-limits.ts';
import type { ApiMetrics } from '../metrics.ts';
import type { GraphQLContext } from './context.ts';
import { formatGraphQLError, isInternal } from './errors.ts';
import { schema } from './schema.ts';

export interface ApolloDeps {
  limits: ApiConfig['limits'];
  metrics: Pick<ApiMetrics, 'graphqlOperations'>;
}

/** Complexity guard, error logging with the request id, and per-operation metrics. */
function operationsPlugin(deps: ApolloDeps): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const error = complexityError({
            schema,
            document,
            variables: request.variables,
            operationName: request.operationName,
            max: deps.limits.queryComplexity,
          });
          if (error) throw error;
        },
        async didEncounterErrors({ contextValue, errors }) {
          for (const error of errors) {
            const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
            if (isInternal(error)) {
              contextValue.logger.error(
                { err: original, requestId: contextValue.requestId },
                'internal error (masked)',
              );
            }
          }
        },
        async willSendResponse({ operation, response, errors }) {
          deps.metrics.graphqlOperations.inc({
            transport: 'http',
            type: operation?.operation ?? 'unknown',
            name: operation?.name?.value ?? 'anonymous',
            outcome:
              errors?.length || (response.body.kind === 'single' && response.body.singleResult.errors?.length)
                ? 'error'
                : 'ok',
          });
        },
      };
    },
  };
}

export function createApollo(
  deps: ApolloDeps,
  httpServer: Server,
  disposeWebSockets: () => Promise<void>,
): ApolloServer<GraphQLContext> {
  return new ApolloServer<GraphQLContext>({
    schema,
    validationRules: limitRules(deps.limits),
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGINT/SIGTERM; Apollo's own handler re-raised the signal mid-shutdown and stalled it.
    stopOnTerminationSignals: false,
    // Masks internal errors (logged with the request id by the plugin above); rewrites bad variables.
    formatError: (formatted, error) => formatGraphQLError(formatted, error, {}),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await disposeWebSockets();
            },
          };
        },
      },
      operationsPlugin(deps),
    ],
  });
}
