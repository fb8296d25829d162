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
import { aliasLimitRule } from './alias-limit.ts';
import { listLiteralRule } from './input-limits.ts';

/**
 * Depth, alias and list-literal limits as validation rules (HTTP: Apollo validationRules; WS: our
 * onSubscribe). graphql-js stops validating after 100 errors, so their cost is bounded too.
 */
export function limitRules(
  limits: Pick<ApiLimits, 'queryDepth' | 'queryAliases' | 'inputListLength'>,
): ValidationRule[] {
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
    aliasLimitRule(limits.queryAliases),
    listLiteralRule(limits.inputListLength),
  ];
}

/**
 * Fields walked by the complexity estimate (fragments are walked once per spread). Past it the estimate
 * stops and the operation is refused: a walk this long is a cost in itself, whatever the estimate says.
 */
export const MAX_COMPLEXITY_NODES = 10_000;

// A list field asked with `first: N` costs N times its selection (jobs(first: 100) { nodes { images } }).
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const first = typeof args.first === 'number' ? args.first : undefined;
  return first !== undefined ? 1 + childComplexity * Math.max(1, first) : undefined;
};

function tooComplex(message: string, max: number, complexity?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'QUERY_TOO_COMPLEX',
      ...(complexity !== undefined ? { complexity } : {}),
      limit: max,
      http: { status: 400 },
    },
  });
}

/**
 * QUERY_TOO_COMPLEX when the operation's estimated cost is over the limit, or when estimating it would
 * walk more than MAX_COMPLEXITY_NODES fields. Call it with variables already checked (input-limits.ts):
 * any other failure of the estimate is a refusal too, never a pass.
 */
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
      maxQueryNodes: MAX_COMPLEXITY_NODES,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return tooComplex(
      `Query complexity could not be bounded (${reason}): at most ${MAX_COMPLEXITY_NODES} fields are estimated, and the limit is ${options.max}`,
      options.max,
    );
  }
  if (complexity <= options.max) return undefined;
  return tooComplex(
    `Query complexity ${complexity} exceeds the limit of ${options.max}`,
    options.max,
    complexity,
  );
}
