import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { FuzzClient } from './driver.ts';
import type { FuzzFixtures } from './fixtures.ts';
import { graphqlMalformed } from './graphql-cases.ts';
import { refusedGraphQL, refusedV1 } from './refusals.ts';
import { v1Malformed } from './v1-cases.ts';
import { applyViolations, PARAMETER_VIOLATIONS, type Violation, violationSets } from './violations.ts';

/** One fuzzed promise: its name (the key of the request tally) and the property fast-check runs. */
export interface FuzzProperty {
  name: string;
  property: fc.IAsyncProperty<never>;
}

const photoMakerTask = (wire: Record<string, unknown>) => [
  { taskType: 'photoMaker', taskUUID: randomUUID(), ...wire },
];

const asProperty = <T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>) =>
  fc.asyncProperty(arbitrary, predicate) as unknown as fc.IAsyncProperty<never>;

/** The properties in the order they run: every parameter rule alone and combined, then malformed requests. */
export function fuzzProperties(client: FuzzClient, fixtures: FuzzFixtures): FuzzProperty[] {
  const oneRule = fc
    .constantFrom(...Object.keys(PARAMETER_VIOLATIONS))
    .chain((name) => PARAMETER_VIOLATIONS[name] as fc.Arbitrary<Violation>);
  const graphqlRefuses = (name: string) => async (vs: Violation[]) => {
    const { graphql } = applyViolations(vs);
    refusedGraphQL(await client.gql(name, graphql), vs, graphql);
  };
  const v1Refuses = (name: string) => async (vs: Violation[]) => {
    const { wire } = applyViolations(vs);
    refusedV1(await client.v1(name, photoMakerTask(wire)), vs);
  };
  const table: [string, (name: string) => fc.IAsyncProperty<never>][] = [
    ['graphql: one rule broken', (n) => asProperty(oneRule, (v) => graphqlRefuses(n)([v]))],
    ['graphql: random combinations', (n) => asProperty(violationSets(5), graphqlRefuses(n))],
    ['/v1: one rule broken', (n) => asProperty(oneRule, (v) => v1Refuses(n)([v]))],
    ['/v1: random combinations', (n) => asProperty(violationSets(5), v1Refuses(n))],
    [
      'graphql: malformed, oversized, unauthenticated',
      (n) => asProperty(graphqlMalformed(client, fixtures), (m) => m.run(n)),
    ],
    [
      '/v1: malformed, oversized, unauthenticated',
      (n) => asProperty(v1Malformed(client, fixtures), (m) => m.run(n)),
    ],
  ];
  return table.map(([name, build]) => ({ name, property: build(name) }));
}
