import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { ApiLimits } from '../config.ts';

/** Depth and alias limits as validation rules (HTTP: Apollo validationRules; WS: our onSubscribe). */
export function limitRules(limits: Pick<ApiLimits, 'queryDepth' | 'queryAliases'>): ValidationRule[] {
  // Report as validation errors (400, GRAPHQL_VALIDATION_FAILED) instead of throwing out of validate().
  const report = {
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
  };
  return [
    maxDepthRule({
      n: limits.queryDepth,
      ignoreIntrospection: true,
      exposeLimits: true,
      ...report,
    }) as unknown as ValidationRule,
    maxAliasesRule({ n: limits.queryAliases, exposeLimits: true, ...report }) as unknown as ValidationRule,
  ];
}

// A list field asked with `first: N` costs N times its selection (jobs(first: 100) { nodes { images } }).
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? args.first : undefined;
  return first !== undefined ? 1 + childComplexity * Math.max(1, first) : undefined;
};

/** QUERY_TOO_COMPLEX when the operation's estimated cost is over the limit. */
export function complexityError(options: {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
  max: number;
}): GraphQLError | undefined {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema: options.schema,
      query: options.document,
      variables: options.variables ?? {},
      ...(options.operationName ? { operationName: options.operationName } : {}),
      estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    // Bad variables etc. are reported by graphql-js itself with a better message.
    return undefined;
  }
  if (complexity <= options.max) return undefined;
  return new GraphQLError(`Query complexity ${complexity} exceeds the limit of ${options.max}`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', complexity, limit: options.max, http: { status: 400 } },
  });
}
