import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  BREAK,
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
  visit,
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
  const operation = options.operationName ?? '';
  const kept = fixedComplexities.get(options.document);
  const known = kept?.schema === options.schema ? kept.byOperation.get(operation) : undefined;
  try {
    complexity =
      known ??
      getComplexity({
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
  if (known === undefined) keepIfFixed(options.schema, options.document, operation, complexity);
  if (complexity <= options.max) return undefined;
  return tooComplex(
    `Query complexity ${complexity} exceeds the limit of ${options.max}`,
    options.max,
    complexity,
  );
}

/**
 * Estimates of documents whose estimate no variable can change, by document (a transport's cached
 * document is the same object on every request: Apollo's document store, operation-check.ts), then
 * operation name. Weak: they go with the document.
 */
const fixedComplexities = new WeakMap<
  DocumentNode,
  { schema: GraphQLSchema; byOperation: Map<string, number> }
>();

function keepIfFixed(schema: GraphQLSchema, document: DocumentNode, operation: string, complexity: number) {
  if (!fixedByVariables(document)) return;
  let kept = fixedComplexities.get(document);
  if (kept?.schema !== schema) {
    kept = { schema, byOperation: new Map() };
    fixedComplexities.set(document, kept);
  }
  kept.byOperation.set(operation, complexity);
}

/**
 * The estimate reads variables only through `first` arguments (pagedEstimator) and @include/@skip: a
 * document with no variable there has one estimate whatever the variables.
 */
function fixedByVariables(document: DocumentNode): boolean {
  let fixed = true;
  visit(document, {
    Directive(node) {
      if ((node.arguments ?? []).some((argument) => usesVariable(argument.value))) {
        fixed = false;
        return BREAK;
      }
      return undefined;
    },
    Argument(node) {
      if (node.name.value === 'first' && usesVariable(node.value)) {
        fixed = false;
        return BREAK;
      }
      return undefined;
    },
  });
  return fixed;
}

function usesVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true;
  if (value.kind === Kind.LIST) return value.values.some(usesVariable);
  if (value.kind === Kind.OBJECT) return value.fields.some((field) => usesVariable(field.value));
  return false;
}
