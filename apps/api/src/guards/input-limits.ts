import {
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';

/** `[5,5,...]` written into the document: refused by length before each element is checked. */
export function listLiteralRule(max: number): ValidationRule {
  return (context) => ({
    ListValue(node) {
      if (node.values.length <= max) return;
      context.reportError(
        new GraphQLError(`A list literal has ${node.values.length} elements; at most ${max} are accepted.`, {
          nodes: [node],
          extensions: { limit: max, found: node.values.length },
        }),
      );
    },
  });
}

interface Visit {
  value: unknown;
  path: string;
}

/** The elements of an array or the properties of an object, with their paths. */
function childrenOf({ value, path }: Visit): Visit[] {
  if (Array.isArray(value))
    return value.map((element, index) => ({ value: element, path: `${path}[${index}]` }));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).map(([key, element]) => ({
    value: element,
    path: path ? `${path}.${key}` : key,
  }));
}

/** The path (`input.inputImages`) and length of the first list in `value` longer than `max`. */
function firstLongList(value: unknown, max: number): { path: string; length: number } | undefined {
  // Iterative: variables are client JSON, as deep as the body allows.
  const stack: Visit[] = [{ value, path: '' }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (Array.isArray(item.value) && item.value.length > max)
      return { path: item.path, length: item.value.length };
    for (const child of childrenOf(item)) stack.push(child);
  }
  return undefined;
}

/**
 * The operation's variables checked before anything runs, at a cost bounded by the limits rather than by
 * the input: a list longer than `maxListLength` is refused by its length, and graphql-js's coercion stops
 * at its second problem (it would otherwise report each bad element of a 400,000-element list). The
 * first problem is the answer: it names the field and the first offending index.
 */
export function variablesError(options: {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | null | undefined;
  maxListLength: number;
}): GraphQLError | undefined {
  const variables = options.variables ?? {};
  const long = firstLongList(variables, options.maxListLength);
  if (long) {
    const message = `Variable "$${long.path}" is a list of ${long.length} elements; at most ${options.maxListLength} are accepted.`;
    return new GraphQLError(message, {
      extensions: {
        code: 'BAD_USER_INPUT',
        limit: options.maxListLength,
        found: long.length,
        http: { status: 400 },
      },
    });
  }
  const coerced = getVariableValues(options.schema, options.operation.variableDefinitions ?? [], variables, {
    maxErrors: 1,
  });
  const first = coerced.errors?.[0];
  if (!first) return undefined;
  return new GraphQLError(first.message, {
    ...(first.nodes ? { nodes: first.nodes } : {}),
    ...(first.originalError ? { originalError: first.originalError } : {}),
    extensions: { ...first.extensions, code: 'BAD_USER_INPUT', http: { status: 400 } },
  });
}
