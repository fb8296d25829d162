import type { DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import {
  checkOperation,
  type OperationLimits,
  type OperationRequest,
  operationGuardError,
} from '../guards/operation-check.ts';

/** Distinct operation texts kept (oldest out first); a text longer than MAX_TEXT is never kept. */
const ENTRIES = 256;
const MAX_TEXT = 8 * 1024;

/**
 * checkOperation for graphql-ws with the parse and validation remembered by operation text: 10,000
 * clients subscribing with the same text share one validated document instead of holding 10,000 parsed
 * copies for their subscriptions' lifetime (and shared-subscribe.ts keys its shared results on it).
 * Variables and complexity depend on the request, so operationGuardError still runs for each one.
 */
export function cachedOperationCheck(
  schema: GraphQLSchema,
  limits: OperationLimits,
  rules: readonly ValidationRule[],
): (request: OperationRequest) => DocumentNode | GraphQLError[] {
  const documents = new Map<string, DocumentNode>();
  return (request) => {
    const known = documents.get(request.query);
    if (known) {
      const refused = operationGuardError(schema, known, request, limits);
      return refused ? [refused] : known;
    }
    const checked = checkOperation(schema, request, limits, rules);
    if (!Array.isArray(checked) && request.query.length <= MAX_TEXT) {
      if (documents.size >= ENTRIES) documents.delete(documents.keys().next().value as string);
      documents.set(request.query, checked);
    }
    return checked;
  };
}
