import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute, print } from 'graphql';

/** Payloads marked shareable: every subscriber of a job receives the very same object for one event. */
export const SHARED = Symbol('photomaker.shared-payload');

type Shareable = { [SHARED]?: true };
type Result = ExecutionResult | Promise<ExecutionResult>;

// document -> its key: checkOperation (guards/operation-check.ts) hands every subscriber of one text the
// same document, printed once.
const keys = new WeakMap<object, string>();
function keyOf(args: ExecutionArgs): string {
  let key = keys.get(args.document);
  if (key === undefined) {
    key = print(args.document);
    keys.set(args.document, key);
  }
  return `${args.operationName ?? ''}\u0000${key}`;
}

// payload -> (operation text and variables -> result). Weak: entries go when the event object is no longer referenced.
const results = new WeakMap<object, Map<string, Result>>();

function executeFor(args: ExecutionArgs, operationKey: string, payload: unknown): Result {
  if (typeof payload !== 'object' || payload === null || !(payload as Shareable)[SHARED]) {
    return execute({ ...args, rootValue: payload });
  }
  let byOperation = results.get(payload);
  if (!byOperation) {
    byOperation = new Map();
    results.set(payload, byOperation);
  }
  let result = byOperation.get(operationKey);
  if (!result) {
    result = execute({ ...args, rootValue: payload });
    byOperation.set(operationKey, result);
  }
  return result;
}

/**
 * graphql's `subscribe`, except that a shared event payload is executed once per distinct operation text
 * and variables instead of once per subscriber: with 2,000 clients on one job, one event costs one execution (event
 * fields do not depend on the subscriber), and graphql-ws only serializes per socket.
 */
export async function sharedSubscribe(
  args: ExecutionArgs,
): Promise<AsyncGenerator<ExecutionResult> | AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const iterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  // Variables are part of the key: a field may depend on them (`@include(if: $x)`, arguments), and only
  // subscribers that sent the same text and the same variables may share one result.
  const operationKey = `${keyOf(args)}\u0000${JSON.stringify(args.variableValues ?? {})}`;
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const step = await iterator.next();
      if (step.done) return { done: true, value: undefined };
      return { done: false, value: await executeFor(args, operationKey, step.value) };
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return mapped;
}
