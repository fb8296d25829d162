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

/** Valid documents kept per (schema, rules), by query text: the same subscription text is sent again and again. */
const DOCUMENTS_KEPT = 200;
/** Longer texts are parsed and validated every time: the cache's memory stays bounded. */
const KEPT_TEXT_CHARS = 8_192;
const validDocuments = new WeakMap<
  GraphQLSchema,
  WeakMap<readonly ValidationRule[], Map<string, DocumentNode>>
>();

function documentsOf(schema: GraphQLSchema, rules: readonly ValidationRule[]): Map<string, DocumentNode> {
  let bySchema = validDocuments.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    validDocuments.set(schema, bySchema);
  }
  let documents = bySchema.get(rules);
  if (!documents) {
    documents = new Map();
    bySchema.set(rules, documents);
  }
  return documents;
}

/**
 * Parse (at most `queryTokens` tokens), validate and guard one operation: the document, or the errors
 * that refuse it. graphql-ws runs this; Apollo runs the same steps through its own pipeline (apollo.ts).
 * Parsing and validation depend on the text, schema and rules only: a caller that passes the same `rules`
 * array each time gets valid documents from a small cache (as Apollo's document store does for HTTP);
 * the variables and complexity guards run on every request.
 */
export function checkOperation(
  schema: GraphQLSchema,
  request: OperationRequest,
  limits: OperationLimits,
  rules?: readonly ValidationRule[],
): DocumentNode | GraphQLError[] {
  const documents = rules && request.query.length <= KEPT_TEXT_CHARS ? documentsOf(schema, rules) : undefined;
  const key = `${limits.queryTokens}\u0000${request.query}`;
  let document = documents?.get(key);
  if (document === undefined) {
    const checked = parseAndValidate(schema, request.query, limits, rules ?? operationRules(limits));
    if (Array.isArray(checked)) return checked;
    document = checked;
    if (documents) {
      if (documents.size >= DOCUMENTS_KEPT) documents.delete(documents.keys().next().value as string);
      documents.set(key, document);
    }
  }
  const refused = operationGuardError(schema, document, request, limits);
  return refused ? [refused] : document;
}

function parseAndValidate(
  schema: GraphQLSchema,
  query: string,
  limits: OperationLimits,
  rules: readonly ValidationRule[],
): DocumentNode | GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.queryTokens });
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
  return document;
}
