import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.ts';

/**
 * Seeds reach 2^63-1, past JavaScript's and GraphQL Int's range. Accepted as an Int literal/number or a
 * decimal String; always returned as a decimal String. Range (1..2^63-1) is checked by the shared schema.
 */
export const SeedScalar = builder.scalarType('Seed', {
  description:
    'A generation seed: an integer from 1 to 9223372036854775807 (2^63-1). Input: an Int, or a decimal String for ' +
    'values above 2^53 (JSON numbers lose precision there). Output: always a decimal String.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return value;
    throw new GraphQLError('Seed must be an integer or a decimal string', {
      extensions: { code: 'BAD_USER_INPUT', runwareCode: 'invalidSeed', parameter: 'seed' },
    });
  },
  parseLiteral: (ast) => {
    // Int literals keep their source text, so 9223372036854775807 written inline stays exact.
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return ast.value;
    throw new GraphQLError('Seed must be an integer or a decimal string', {
      extensions: { code: 'BAD_USER_INPUT', runwareCode: 'invalidSeed', parameter: 'seed' },
    });
  },
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'An ISO-8601 timestamp in UTC, e.g. 2026-11-24T10:00:00.000Z.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value === 'string' && ISO.test(value)) return value;
    throw new GraphQLError('DateTime must be an ISO-8601 string');
  },
});
