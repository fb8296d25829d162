import fc from 'fast-check';
import { execute, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { limitsFromEnv } from '../src/config.ts';
import { capErrors, classifyRequestError, formatGraphQLError } from '../src/graphql/errors.ts';
import { schema } from '../src/graphql/schema.ts';
import { checkOperation } from '../src/guards/operation-check.ts';
import { contextFor, fakeDeps, JOB_ID, queuedJob } from './support/in-process.ts';

// Property: whatever the shape of a GraphQL request (aliases, `__typename` floods, fragment bombs,
// nesting, pages, long and wrong-typed lists in the document or the variables, wide objects), checking it with the
// default limits and running it when accepted costs under CPU_MS of CPU and HEAP_MB of heap growth, and
// answers at most 11 errors. apps/api/README.md ("Bounded work") states the same bounds. Reading the body
// around it is bounded by the body limit, not here.
const CPU_MS = 100;
const HEAP_MB = 64;

const limits = limitsFromEnv({});

const deps = fakeDeps({
  list: {
    list: async (_tenant, { first }) => ({
      nodes: Array.from({ length: first }, () => queuedJob()),
      endCursor: null,
      hasNextPage: false,
    }),
  },
  reads: { get: async () => queuedJob() },
});

const times = (n: number, item: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => item(i)).join(' ');

const shape = fc.record({
  mutation: fc.boolean(),
  typenameAliases: fc.integer({ min: 0, max: 20_000 }),
  plainTypenames: fc.integer({ min: 0, max: 5_000 }),
  pages: fc.integer({ min: 0, max: 20 }),
  first: fc.integer({ min: 1, max: 100 }),
  fragmentBomb: fc.integer({ min: 0, max: 60 }),
  inlineNesting: fc.integer({ min: 0, max: 30 }),
  introspection: fc.boolean(),
  literalList: fc.integer({ min: 0, max: 3_000 }),
  variableList: fc.integer({ min: 0, max: 400_000 }),
  wideObject: fc.integer({ min: 0, max: 100_000 }),
  element: fc.constantFrom<unknown>(5, 'x', null, {}, [], true, 'data:image/png;base64,AAAA'),
});

type Shape = typeof shape extends fc.Arbitrary<infer T> ? T : never;

/** A query: `__typename` floods, aliased pages, a fragment bomb, nesting, introspection. */
function queryOf(s: Shape): string {
  const fragments = times(
    s.fragmentBomb,
    (i) =>
      `fragment F${i} on Query { ${i + 1 < s.fragmentBomb ? `...F${i + 1} ...F${i + 1}` : '__typename'} }`,
  );
  const selection = [
    times(s.typenameAliases, (i) => `t${i}: __typename`),
    times(s.plainTypenames, () => '__typename'),
    times(
      s.pages,
      (i) => `p${i}: jobs(first: ${s.first}) { nodes { id task { positivePrompt } images { url } } }`,
    ),
    s.fragmentBomb > 0 ? '...F0' : '',
    `${'... on Query { '.repeat(s.inlineNesting)}job(id: "${JOB_ID}") { task { inputImages { kind } } }${' }'.repeat(s.inlineNesting)}`,
    s.introspection ? '__schema { types { name fields { name } } }' : '',
  ];
  return `query Q { ${selection.join(' ')} } ${fragments}`;
}

/** A generation: inputImages as a long literal list and as a long variable list, of one element kind. */
function mutationOf(s: Shape): { query: string; variables: Record<string, unknown> } {
  // JSON of these elements is also a GraphQL literal ({} and [] included).
  const element = JSON.stringify(s.element);
  const literal = `{ positivePrompt: "p", width: 512, height: 512, inputImages: [${times(s.literalList, () => element)}] }`;
  return {
    query: `mutation M($input: PhotoMakerInput!) { g: generatePhotoMaker(input: $input) { id } l: generatePhotoMaker(input: ${literal}) { id } }`,
    variables: {
      input: {
        positivePrompt: 'p',
        width: 512,
        height: 512,
        inputImages: new Array(s.variableList).fill(s.element),
        ...(s.wideObject > 0
          ? {
              extra: Object.fromEntries(Array.from({ length: s.wideObject }, (_, i) => [`k${i}`, s.element])),
            }
          : {}),
      },
    },
  };
}

const requestOf = (s: Shape) => (s.mutation ? mutationOf(s) : { query: queryOf(s), variables: {} });

const asClientSees = (errors: readonly GraphQLError[]) =>
  capErrors(
    errors.map((raw) => {
      const error = classifyRequestError(raw);
      return formatGraphQLError(error.toJSON(), error, {});
    }),
  );

/** Check and, when accepted, execute: the errors a client would receive. */
async function answer(request: { query: string; variables: Record<string, unknown> }) {
  const checked = checkOperation(schema, request, limits);
  if (Array.isArray(checked)) return asClientSees(checked);
  const result = await execute({
    schema,
    document: checked,
    variableValues: request.variables,
    contextValue: contextFor(deps),
  });
  return asClientSees(result.errors ?? []);
}

describe('bounded work per request (property)', () => {
  it(`any query and input shape costs under ${CPU_MS} ms of CPU and ${HEAP_MB} MB of heap`, async () => {
    const worst = { cpuMs: 0, heapMb: 0 };
    await fc.assert(
      fc.asyncProperty(shape, async (s) => {
        const request = requestOf(s);
        const heapBefore = process.memoryUsage().heapUsed;
        const cpuBefore = process.cpuUsage();
        const errors = await answer(request);
        const cpu = process.cpuUsage(cpuBefore);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
        worst.cpuMs = Math.max(worst.cpuMs, cpuMs);
        worst.heapMb = Math.max(worst.heapMb, heapMb);
        expect(errors.length).toBeLessThanOrEqual(11);
        expect(cpuMs, `CPU for ${JSON.stringify(s)}`).toBeLessThan(CPU_MS);
        expect(heapMb, `heap for ${JSON.stringify(s)}`).toBeLessThan(HEAP_MB);
      }),
      { numRuns: 150, seed: 13 },
    );
    // The margin under the bounds, for the README and for whoever tightens them.
    process.stdout.write(
      `bounded work: worst CPU ${worst.cpuMs.toFixed(1)} ms, worst heap growth ${worst.heapMb.toFixed(1)} MB\n`,
    );
  }, 180_000);
});
