import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * Typed GraphQL documents, checked against the API's committed SDL (apps/api/schema.graphql):
 * `graphql-env.d.ts` is generated from it (`pnpm generate-types`; test/sdl-types.test.ts fails when it
 * is stale) and `gql.tada check` (lint) validates every document below against it.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: {
    DateTime: string;
    /** Decimal string: seeds go past 2^53. */
    Seed: string;
  };
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';
