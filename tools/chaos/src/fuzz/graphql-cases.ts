import { GENERATE } from '@photomaker/harness/client';
import fc from 'fast-check';
import type { FuzzClient } from './driver.ts';
import { MAX_BODY_BYTES } from './driver.ts';
import { type FuzzFixtures, type Malformed, notJsonText } from './fixtures.ts';
import { graphqlCodes, graphqlErrorCodes, graphqlErrors, must, refusedGraphQL } from './refusals.ts';
import { PARAMETER_VIOLATIONS } from './violations.ts';

const notJson = (client: FuzzClient) =>
  notJsonText().map(
    (text): Malformed => ({
      label: 'not JSON',
      run: async (p) => {
        const a = await client.send(p, '/graphql', text);
        must(a.status === 400, () => `not JSON -> ${a.status} ${a.text.slice(0, 200)}`);
      },
    }),
  );

const syntaxError = (client: FuzzClient) =>
  fc.string({ minLength: 1, maxLength: 40 }).map(
    (junk): Malformed => ({
      label: 'syntax error',
      run: async (p) => {
        const query = `mutation { generatePhotoMaker(input: ${junk}`;
        const a = await client.send(p, '/graphql', JSON.stringify({ query }));
        const codes = graphqlErrorCodes(a);
        must(
          a.status === 400 && codes.includes('GRAPHQL_PARSE_FAILED'),
          () => `syntax error -> ${a.status} ${codes}`,
        );
      },
    }),
  );

/** A field name no photoMaker parameter has (nor one of the few a `Zz` suffix could collide with). */
const isUnknownField = (s: string) =>
  /^[a-z][A-Za-z0-9]*$/.test(s) && !(s in PARAMETER_VIOLATIONS) && !['seed', 'clipSkip', 'ttl'].includes(s);

const unknownField = (client: FuzzClient, { valid }: FuzzFixtures) =>
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter(isUnknownField)
    .map(
      (field): Malformed => ({
        label: 'unknown field',
        run: async (p) => {
          const a = await client.gql(p, { ...valid.graphql, [`${field}Zz`]: 1 });
          const errors = graphqlErrors(a);
          must(
            !(a.body?.data as { generatePhotoMaker?: unknown } | undefined)?.generatePhotoMaker,
            () => 'accepted an unknown field',
          );
          must(
            errors.length > 0 && errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT'),
            () => `unknown field -> ${errors.map((e) => e.extensions?.code)}`,
          );
          must(
            graphqlCodes(errors).some((c) => c.code === 'unknownParameter'),
            () => `unknown field -> ${JSON.stringify(graphqlCodes(errors))}`,
          );
        },
      }),
    );

const wrongInputType = (client: FuzzClient) =>
  fc.constantFrom('a string', 42, [1], null).map(
    (input): Malformed => ({
      label: 'input of the wrong type',
      run: async (p) => {
        const a = await client.gql(p, input);
        const errors = graphqlErrors(a);
        must(
          errors.length > 0 && errors.every((e) => e.extensions?.code === 'BAD_USER_INPUT'),
          () => `wrong input type -> ${a.status} ${errors.map((e) => e.extensions?.code)}`,
        );
      },
    }),
  );

const oversizedBody = (client: FuzzClient, { valid }: FuzzFixtures) =>
  fc.integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES * 3 }).map(
    (size): Malformed => ({
      label: 'oversized body',
      run: async (p) => {
        const a = await client.gql(p, { ...valid.graphql, positivePrompt: 'a'.repeat(size) });
        const codes = graphqlErrorCodes(a);
        must(
          a.status === 413 && codes.includes('PAYLOAD_TOO_LARGE'),
          () => `oversized -> ${a.status} ${codes}`,
        );
      },
    }),
  );

const oversizedImage = (client: FuzzClient, { valid, bigImage }: FuzzFixtures) =>
  fc.constant<Malformed>({
    label: 'oversized image',
    run: async (p) => {
      const a = await client.gql(p, { ...valid.graphql, inputImages: [bigImage] });
      const violation = {
        parameter: 'inputImages',
        rule: 'size',
        graphql: '',
        wire: '',
        codes: ['invalidInputImages'],
      };
      refusedGraphQL(a, [violation], 'big image');
    },
  });

const badKey = (client: FuzzClient, { valid }: FuzzFixtures) =>
  fc.constantFrom('', 'Bearer nope', 'Basic abc').map(
    (authorization): Malformed => ({
      label: 'bad key',
      run: async (p) => {
        const body = JSON.stringify({ query: GENERATE, variables: { input: valid.graphql } });
        const a = await client.send(p, '/graphql', body, {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        });
        const codes = graphqlErrorCodes(a);
        must(a.status === 401 && codes.includes('UNAUTHENTICATED'), () => `bad key -> ${a.status} ${codes}`);
      },
    }),
  );

/** Malformed, oversized and unauthenticated GraphQL requests, each with the refusal it must get. */
export function graphqlMalformed(client: FuzzClient, fixtures: FuzzFixtures): fc.Arbitrary<Malformed> {
  return fc.oneof(
    notJson(client),
    syntaxError(client),
    unknownField(client, fixtures),
    wrongInputType(client),
    oversizedBody(client, fixtures),
    oversizedImage(client, fixtures),
    badKey(client, fixtures),
  );
}
