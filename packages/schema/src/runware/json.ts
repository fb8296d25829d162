/**
 * Lossless JSON for Runware bodies. `seed` can be up to 2^63-1, which JSON.parse would round. Node 24 /
 * V8 expose the source text of each primitive to a reviver and JSON.rawJSON for output, so seeds stay
 * exact decimal strings inside our code and exact integer literals on the wire.
 */
type RawJson = { readonly rawJSON: string };
type ReviverContext = { source?: string };
type LosslessJson = {
  parse(
    text: string,
    reviver: (this: unknown, key: string, value: unknown, context?: ReviverContext) => unknown,
  ): unknown;
  rawJSON(text: string): RawJson;
};
const json = JSON as unknown as LosslessJson;

const INTEGER_LITERAL = /^-?[0-9]+$/;

export function parseRunwareJson(text: string): unknown {
  return json.parse(text, (key, value, context) => {
    if (
      key === 'seed' &&
      typeof value === 'number' &&
      context?.source &&
      INTEGER_LITERAL.test(context.source)
    ) {
      return context.source;
    }
    return value;
  });
}

export function stringifyRunwareJson(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === 'bigint') return json.rawJSON(v.toString());
    if (key === 'seed' && typeof v === 'string' && INTEGER_LITERAL.test(v)) return json.rawJSON(v);
    return v;
  });
}
