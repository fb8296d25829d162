import { errorCode, LIMITS, OUTPUT_FORMATS, OUTPUT_TYPES, PHOTOMAKER_STYLES } from '@photomaker/schema';
import fc from 'fast-check';

/**
 * One broken parameter: the bad value as a GraphQL client and as a /v1 client would send it, and the
 * Runware codes that correctly name it. `graphql: undefined` means "omit the field" (a missing required
 * one); values are generated from the shared LIMITS, so a limit change moves the fuzzing with it.
 */
export interface Violation {
  parameter: string;
  rule: string;
  graphql: unknown;
  wire: unknown;
  /** Acceptable codes (invalidX / missingX for that parameter). */
  codes: string[];
  /** Omit instead of sending a value (missing required parameter). */
  omit?: boolean;
}

const codesFor = (parameter: string) => [errorCode('invalid', parameter), errorCode('missing', parameter)];
const same = (parameter: string, rule: string, value: fc.Arbitrary<unknown>): fc.Arbitrary<Violation> =>
  value.map((v) => ({ parameter, rule, graphql: v, wire: v, codes: codesFor(parameter) }));

const outsideInt = (min: number, max: number) =>
  fc.oneof(fc.integer({ min: -1_000_000, max: min - 1 }), fc.integer({ min: max + 1, max: 2_000_000_000 }));
const notInteger = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v));
const wrongType = fc.oneof(
  fc.string({ maxLength: 8 }).map((s) => `x${s}`),
  fc.boolean(),
  fc.constant([1, 2]),
  fc.constant({ a: 1 }),
);
const longString = (minLength: number) =>
  fc.integer({ min: minLength, max: minLength + 500 }).map((n) => 'a'.repeat(n));

function intRule(parameter: string, limit: { min: number; max: number }): fc.Arbitrary<Violation> {
  return fc.oneof(
    same(parameter, 'range', outsideInt(limit.min, limit.max)),
    same(parameter, 'integer', notInteger(limit.min, limit.max)),
    same(parameter, 'type', wrongType),
  );
}

function dimension(parameter: 'width' | 'height'): fc.Arbitrary<Violation> {
  const limit = LIMITS[parameter];
  return fc.oneof(
    intRule(parameter, limit),
    same(
      parameter,
      'multipleOf',
      fc.integer({ min: limit.min, max: limit.max }).filter((v) => v % limit.multipleOf !== 0),
    ),
  );
}

function lengthRule(
  parameter: string,
  limit: { minLength: number; maxLength: number },
): fc.Arbitrary<Violation> {
  return fc.oneof(
    same(parameter, 'too short', fc.string({ maxLength: limit.minLength - 1 })),
    same(parameter, 'too long', longString(limit.maxLength + 1)),
    same(parameter, 'type', fc.oneof(fc.integer(), fc.boolean(), fc.constant(['a', 'b']))),
  );
}

/** A GraphQL enum value vs. the wire's Runware spelling: both wrong. */
function enumRule(parameter: string, wireValues: readonly string[]): fc.Arbitrary<Violation> {
  return fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((s) => !wireValues.includes(s) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(s))
    .map((s) => ({
      parameter,
      rule: 'allowed values',
      graphql: `${s.toUpperCase()}_X`,
      wire: `${s}-x`,
      codes: codesFor(parameter),
    }));
}

const missing = (parameter: string): fc.Arbitrary<Violation> =>
  fc.constant({
    parameter,
    rule: 'required',
    graphql: undefined,
    wire: undefined,
    codes: codesFor(parameter),
    omit: true,
  });

const badUrl = (parameter: string) =>
  fc.oneof(
    same(
      parameter,
      'scheme',
      fc.constantFrom('ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)'),
    ),
    same(
      parameter,
      'not a URL',
      fc.string({ maxLength: 20 }).map((s) => `not a url ${s}`),
    ),
    same(parameter, 'too long', fc.constant(`https://example.com/${'a'.repeat(LIMITS.url.maxLength)}`)),
  );

/** Every rule of the photoMaker parameters, as generators of violations. */
export const PARAMETER_VIOLATIONS: Record<string, fc.Arbitrary<Violation>> = {
  positivePrompt: fc.oneof(lengthRule('positivePrompt', LIMITS.positivePrompt), missing('positivePrompt')),
  negativePrompt: lengthRule('negativePrompt', LIMITS.negativePrompt),
  width: fc.oneof(dimension('width'), missing('width')),
  height: fc.oneof(dimension('height'), missing('height')),
  strength: intRule('strength', LIMITS.strength),
  steps: intRule('steps', LIMITS.steps),
  CFGScale: fc.oneof(
    same(
      'CFGScale',
      'range',
      fc.oneof(
        fc.double({ min: -1e6, max: -0.001, noNaN: true }),
        fc.double({ min: 50.001, max: 1e6, noNaN: true }),
      ),
    ),
    same('CFGScale', 'type', wrongType),
  ),
  clipSkip: intRule('clipSkip', LIMITS.clipSkip),
  numberResults: intRule('numberResults', LIMITS.numberResults),
  outputQuality: intRule('outputQuality', LIMITS.outputQuality),
  ttl: fc.oneof(
    same('ttl', 'minimum', fc.integer({ min: -1000, max: LIMITS.ttl.min - 1 })),
    same('ttl', 'type', wrongType),
  ),
  scheduler: lengthRule('scheduler', LIMITS.scheduler),
  model: same(
    'model',
    'AIR format',
    fc.oneof(
      fc.constantFrom('', 'sdxl', 'civitai:abc', 'civitai:1@', ':1@2'),
      fc.string({ maxLength: 10 }).map((s) => `no air ${s}`),
    ),
  ),
  seed: same(
    'seed',
    'range',
    fc.constantFrom(0, -1, -42, '9223372036854775808', '99999999999999999999', '1.5', 'abc'),
  ),
  inputImages: fc.oneof(
    same('inputImages', 'count', fc.constant([])),
    fc.integer({ min: LIMITS.inputImages.max + 1, max: 8 }).map((n) => ({
      parameter: 'inputImages',
      rule: 'count',
      graphql: Array.from({ length: n }, () => TINY_PNG),
      wire: Array.from({ length: n }, () => TINY_PNG),
      codes: codesFor('inputImages'),
    })),
    same(
      'inputImages',
      'not an image',
      fc.string({ minLength: 1, maxLength: 30 }).map((s) => [`not an image: ${s}`]),
    ),
    same(
      'inputImages',
      'bytes',
      fc.constantFrom(['data:image/png;base64,AAAA'], ['data:image/gif;base64,R0lGODlhAQABAAAAACw=']),
    ),
    missing('inputImages'),
  ),
  webhookURL: badUrl('webhookURL'),
  uploadEndpoint: badUrl('uploadEndpoint'),
  includeCost: same('includeCost', 'type', fc.constantFrom('yes', 1, 'true')),
  style: enumRule('style', PHOTOMAKER_STYLES),
  outputType: enumRule('outputType', OUTPUT_TYPES),
  outputFormat: enumRule('outputFormat', OUTPUT_FORMATS),
  deliveryMethod: enumRule('deliveryMethod', ['sync', 'async']),
  safety: fc.oneof(
    enumRule('safety.mode', ['none', 'fast', 'full']).map((v) => ({
      ...v,
      graphql: { mode: v.graphql },
      wire: { mode: v.wire },
      codes: [...codesFor('safety.mode'), ...codesFor('safety')],
    })),
    fc.constantFrom('yes', 3).map((bad) => ({
      parameter: 'safety.checkContent',
      rule: 'type',
      graphql: { checkContent: bad },
      wire: { checkContent: bad },
      codes: [...codesFor('safety.checkContent'), ...codesFor('safety')],
    })),
  ),
};

/** A real 1x1 PNG. */
export const TINY_PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** A valid base task; every generated case breaks at least one parameter of it. */
const VALID_PARAMS: Record<string, unknown> = {
  inputImages: [TINY_PNG],
  positivePrompt: 'a portrait photo',
  width: 128,
  height: 128,
};

/** GraphQL and wire forms of the base with the violations applied. */
export function applyViolations(violations: readonly Violation[]): {
  graphql: Record<string, unknown>;
  wire: Record<string, unknown>;
} {
  const graphql: Record<string, unknown> = { ...VALID_PARAMS };
  const wire: Record<string, unknown> = { ...VALID_PARAMS, model: 'civitai:139562@344487' };
  for (const v of violations) {
    const key = v.parameter.split('.')[0] as string;
    if (v.omit) {
      delete graphql[key];
      delete wire[key];
    } else {
      graphql[key] = v.graphql;
      wire[key] = v.wire;
    }
  }
  return { graphql, wire };
}

/** One or more distinct broken parameters (random combinations). */
export const violationSets = (maxParameters: number) =>
  fc
    .uniqueArray(fc.constantFrom(...Object.keys(PARAMETER_VIOLATIONS)), {
      minLength: 1,
      maxLength: maxParameters,
    })
    .chain((names) =>
      fc.tuple(...names.map((name) => PARAMETER_VIOLATIONS[name] as fc.Arbitrary<Violation>)),
    );
