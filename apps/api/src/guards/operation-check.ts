import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import type { ApiLimits } from '../config.ts';
import { variablesError } from './input-limits.ts';
import { complexityError, limitRules } from './query-limits.ts';

export type OperationLimits = Pick<
  ApiLimits,
  'queryDepth' | 'queryAliases' | 'queryComplexity' | 'queryTokens' | 'inputListLength' | 'introspection'
>;

export interface OperationRequest {
  query: string;
  variables?: Record<string, unknown> | null | undefined;
  operationName?: string | null | undefined;
}

/**
 * What runs after validation and before execution, on every transport (Apollo's didResolveOperation,
 * graphql-ws's onSubscribe): the variables (bounded coercion, list lengths), then the complexity estimate.
 * The first refusal, or nothing when the operation may run.
 */
export function operationGuardError(
  schema: GraphQLSchema,
  document: DocumentNode,
  request: Omit<OperationRequest, 'query'>,
  limits: OperationLimits,
): GraphQLError | undefined {
  const operation = getOperationAST(document, request.operationName);
  // No such operation: graphql-js reports it itself when executing.
  if (!operation) return undefined;
  const badVariables = variablesError({
    schema,
    operation,
    variables: request.variables,
    maxListLength: limits.inputListLength,
  });
  if (badVariables) return badVariables;
  return complexityError({
    schema,
    document,
    variables: request.variables,
    operationName: request.operationName,
    max: limits.queryComplexity,
  });
}

/** The validation rules of a transport that validates by itself (graphql-ws): graphql's, ours, introspection. */
export function operationRules(limits: OperationLimits): ValidationRule[] {
  return [
    ...specifiedRules,
    ...limitRules(limits),
    ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
}

/**
 * Parse (at most `queryTokens` tokens), validate and guard one operation: the document, or the errors
 * that refuse it. graphql-ws runs this; Apollo runs the same steps through its own pipeline (apollo.ts).
 */
export function checkOperation(
  schema: GraphQLSchema,
  request: OperationRequest,
  limits: OperationLimits,
  rules: readonly ValidationRule[] = operationRules(limits),
): DocumentNode | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: limits.queryTokens });
  } catch (error) {
    return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
  }
  const invalid = validate(schema, document, rules);
  if (invalid.length > 0) {
    return invalid.map(
      (error) =>
        new GraphQLError(error.message, {
          ...(error.nodes ? { nodes: error.nodes } : {}),
          extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
    );
  }
  const refused = operationGuardError(schema, document, request, limits);
  return refused ? [refused] : document;
}
