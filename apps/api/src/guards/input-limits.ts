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

/**
 * Values (list elements, object properties, at any depth) in one request's variables at most. A
 * generation needs a few dozen; this bounds the walk below and graphql-js's coercion after it.
 */
export const MAX_VARIABLE_VALUES = 10_000;

interface Visit {
  value: unknown;
  path: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The elements of an array or the properties of an object, with their paths. */
function childrenOf({ value, path }: Visit): Visit[] {
  if (Array.isArray(value))
    return value.map((element, index) => ({ value: element, path: `${path}[${index}]` }));
  if (!isObject(value)) return [];
  return Object.entries(value).map(([key, element]) => ({
    value: element,
    path: path ? `${path}.${key}` : key,
  }));
}

/** Why `variables` is too large to coerce: a list over `maxListLength`, or too many values in all. */
function oversize(
  variables: Record<string, unknown>,
  maxListLength: number,
): { message: string; limit: number; found: number } | undefined {
  // Iterative: variables are client JSON, as deep as the body allows.
  const stack: Visit[] = [{ value: variables, path: '' }];
  let values = 0;
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path } = item;
    if (Array.isArray(value) && value.length > maxListLength) {
      const message = `Variable "$${path}" is a list of ${value.length} elements; at most ${maxListLength} are accepted.`;
      return { message, limit: maxListLength, found: value.length };
    }
    // Sized before they are listed: a million-property object is refused without a million entries.
    values += Array.isArray(value) ? value.length : isObject(value) ? Object.keys(value).length : 0;
    if (values > MAX_VARIABLE_VALUES) {
      const message = `The variables hold more than ${MAX_VARIABLE_VALUES} values (list elements and object fields); at most ${MAX_VARIABLE_VALUES} are accepted.`;
      return { message, limit: MAX_VARIABLE_VALUES, found: values };
    }
    for (const child of childrenOf(item)) stack.push(child);
  }
  return undefined;
}

/**
 * The operation's variables checked before anything runs, at a cost bounded by the limits rather than by
 * the input: a list longer than `maxListLength`, or more than MAX_VARIABLE_VALUES values in all, is
 * refused by its size, and graphql-js's coercion stops
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
  const tooLarge = oversize(variables, options.maxListLength);
  if (tooLarge) {
    const { message, limit, found } = tooLarge;
    return new GraphQLError(message, {
      extensions: { code: 'BAD_USER_INPUT', limit, found, http: { status: 400 } },
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
