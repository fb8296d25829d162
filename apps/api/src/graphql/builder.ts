import SchemaBuilder from '@pothos/core';
import type { GraphQLContext } from './context.ts';

/**
 * The Pothos builder. v4 defaults, except output fields are non-null unless marked `nullable: true`
 * (what the domain model says: a Job always has a status, an image always has a URL).
 */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    Seed: { Input: string | number; Output: string };
    DateTime: { Input: string; Output: string };
    PathSegment: { Input: never; Output: string | number };
  };
}>({
  defaultFieldNullability: false,
});

builder.queryType({ description: 'Read jobs and the catalogues (styles, models).' });
builder.mutationType({ description: 'Start, cancel and feed jobs.' });
builder.subscriptionType({ description: 'Live job progress over graphql-ws.' });
