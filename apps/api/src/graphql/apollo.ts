import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLError } from 'graphql';
import type { ApiConfig } from '../config.ts';
import { operationGuardError } from '../guards/operation-check.ts';
import { limitRules } from '../guards/query-limits.ts';
import type { ApiMetrics } from '../metrics.ts';
import type { GraphQLContext } from './context.ts';
import { capErrors, formatGraphQLError, isInternal } from './errors.ts';
import { schema } from './schema.ts';

export interface ApolloDeps {
  limits: ApiConfig['limits'];
  metrics: Pick<ApiMetrics, 'graphqlOperations'>;
}

/** Variables and complexity guards, error logging with the request id, a cap on errors, and per-operation metrics. */
function operationsPlugin(deps: ApolloDeps): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const error = operationGuardError(schema, document, request, deps.limits);
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
          if (response.body.kind === 'single' && response.body.singleResult.errors) {
            response.body.singleResult.errors = capErrors(response.body.singleResult.errors);
          }
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
    // graphql's parser stops at this many tokens, before a 10,000-alias document costs a full parse.
    parseOptions: { maxTokens: deps.limits.queryTokens },
    // Off unless PHOTOMAKER_GRAPHQL_INTROSPECTION=true (the web app and harness use a static schema).
    introspection: deps.limits.introspection,
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
