import { randomUUID } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { limitsFromEnv } from '../src/config.ts';
import { batchErrors, V1Tasks } from '../src/gateway/v1/tasks.ts';
import {
  capErrors,
  classifyRequestError,
  formatGraphQLError,
  MAX_RESPONSE_ERRORS,
} from '../src/graphql/errors.ts';
import { schema } from '../src/graphql/schema.ts';
import { MAX_VARIABLE_VALUES } from '../src/guards/input-limits.ts';
import { checkOperation, operationRules } from '../src/guards/operation-check.ts';
import { MAX_COMPLEXITY_NODES } from '../src/guards/query-limits.ts';
import { createApiMetrics } from '../src/metrics.ts';
import { logger } from './support/in-process.ts';

// The per-request bounds of the GraphQL guards and the /v1 batch check, in process against the real
// schema. bounded-work.test.ts sends the same shapes through the real HTTP, WebSocket and /v1 transports.

const limits = limitsFromEnv({});
const GENERATE = 'mutation G($input: PhotoMakerInput!) { generatePhotoMaker(input: $input) { id } }';

/** The errors of a refused operation, as a client receives them. */
function refusal(query: string, variables?: Record<string, unknown>, overrides = {}) {
  const checked = checkOperation(schema, { query, variables }, { ...limits, ...overrides });
  if (!Array.isArray(checked)) throw new Error('the operation was accepted');
  return checked.map((raw: GraphQLError) => {
    const error = classifyRequestError(raw);
    return formatGraphQLError(error.toJSON(), error, {});
  });
}

const accepted = (query: string, variables?: Record<string, unknown>, overrides = {}) =>
  !Array.isArray(checkOperation(schema, { query, variables }, { ...limits, ...overrides }));

const input = (extra: Record<string, unknown> = {}) => ({
  positivePrompt: 'a portrait',
  inputImages: ['data:image/png;base64,AAAA'],
  width: 512,
  height: 512,
  ...extra,
});

describe('query shape limits', () => {
  it('counts aliased __typename like any alias, fragments once per spread', () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `t${i}: __typename`).join(' ');
    expect(accepted(`{ ${aliases(limits.queryAliases)} }`)).toBe(true);
    const [tooMany] = refusal(`{ ${aliases(limits.queryAliases + 1)} }`);
    expect(tooMany?.message).toBe(
      `Aliases limit of ${limits.queryAliases} exceeded, found ${limits.queryAliases + 1}.`,
    );
    // 4 aliases in a fragment spread 4 times: 16.
    const spread = `{ ...F ...F ...F ...F } fragment F on Query { ${aliases(4)} }`;
    expect(refusal(spread)[0]?.message).toMatch(/found 16/);
  });

  it('refuses 15 x jobs(first: 100) with 10,000 aliased __typename added, as it does alone', () => {
    const jobs = Array.from({ length: 15 }, (_, i) => `j${i}: jobs(first: 100) { nodes { id } }`).join(' ');
    const noAliasCap = { queryAliases: 100_000, queryTokens: 100_000 };
    expect(refusal(`{ ${jobs} }`, undefined, noAliasCap)[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const padded = Array.from({ length: 10_000 }, (_, i) => `t${i}: __typename`).join(' ');
    const [error] = refusal(`{ ${jobs} ${padded} }`, undefined, noAliasCap);
    expect(error?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(error?.message).toContain(`at most ${MAX_COMPLEXITY_NODES} fields`);
  });

  it('stops parsing at the token limit', () => {
    const [error] = refusal(`{ ${'__typename '.repeat(limits.queryTokens)} }`);
    expect(error?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(error?.message).toMatch(new RegExp(`${limits.queryTokens} tokens`));
  });

  it('refuses a long list literal by its length, first, and sends a capped number of errors', () => {
    const literal = (element: string) =>
      `mutation { generatePhotoMaker(input: { positivePrompt: "p", width: 512, height: 512, inputImages: [${Array.from({ length: limits.inputListLength + 1 }, () => element).join(',')}] }) { id } }`;
    const strings = refusal(literal('"a"'));
    expect(strings).toHaveLength(1);
    expect(strings[0]?.message).toMatch(new RegExp(`at most ${limits.inputListLength} are accepted`));
    // Wrong-typed elements add graphql's own error per element (it stops validating at 100): the length
    // error comes first and the response carries MAX_RESPONSE_ERRORS of them.
    const numbers = refusal(literal('5'));
    expect(numbers[0]?.message).toMatch(new RegExp(`at most ${limits.inputListLength} are accepted`));
    expect(capErrors(numbers)).toHaveLength(MAX_RESPONSE_ERRORS + 1);
  });

  it('answers introspection only when enabled', () => {
    expect(refusal('{ __schema { queryType { name } } }')[0]?.message).toMatch(/introspection/i);
    expect(accepted('{ __schema { queryType { name } } }', undefined, { introspection: true })).toBe(true);
    // __typename is not introspection of the schema.
    expect(accepted('{ __typename }')).toBe(true);
  });
});

describe('variables', () => {
  it('gives one error naming the field and the first bad index, however long the bad list', () => {
    const errors = refusal(GENERATE, {
      input: input({ inputImages: ['ok', 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5] }),
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidInputImages',
      parameter: 'inputImages',
      path: ['input', 'inputImages', 1],
    });
  });

  it('refuses a list longer than the limit by its length, before coercing it', () => {
    const errors = refusal(GENERATE, { input: input({ inputImages: new Array(400_000).fill(5) }) });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe(
      `Variable "$input.inputImages" is a list of 400000 elements; at most ${limits.inputListLength} are accepted.`,
    );
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: limits.inputListLength });
  });

  it('keeps a valid document by its text for one set of rules; variables are still guarded each time', () => {
    const rules = operationRules(limits);
    const first = checkOperation(schema, { query: GENERATE, variables: { input: input() } }, limits, rules);
    const again = checkOperation(schema, { query: GENERATE, variables: { input: input() } }, limits, rules);
    expect(Array.isArray(first)).toBe(false);
    // The same parsed document: neither parsed nor validated again.
    expect(again).toBe(first);
    const long = { input: input({ inputImages: new Array(limits.inputListLength + 1).fill('x') }) };
    const refused = checkOperation(schema, { query: GENERATE, variables: long }, limits, rules);
    expect(Array.isArray(refused) && refused[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // An invalid document is refused every time, never kept.
    const bad = '{ nosuchfield }';
    for (let i = 0; i < 2; i++) {
      const errors = checkOperation(schema, { query: bad }, limits, rules);
      expect(Array.isArray(errors) && errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('estimates a document once when no variable can change it; with `first: $n`, every time', () => {
    const rules = operationRules(limits);
    const low = { ...limits, queryComplexity: 50 };
    const fixed = '{ jobs(first: 100) { nodes { id } } }';
    expect(Array.isArray(checkOperation(schema, { query: fixed }, limits, rules))).toBe(false);
    // The kept estimate is compared with the limit of each call.
    const refused = checkOperation(schema, { query: fixed }, low, rules);
    expect(Array.isArray(refused) && refused[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const paged = 'query P($n: Int) { jobs(first: $n) { nodes { id } } }';
    expect(Array.isArray(checkOperation(schema, { query: paged, variables: { n: 1 } }, low, rules))).toBe(
      false,
    );
    const big = checkOperation(schema, { query: paged, variables: { n: 100 } }, low, rules);
    expect(Array.isArray(big) && big[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const skipped = 'query S($s: Boolean!) { jobs(first: 100) @skip(if: $s) { nodes { id } } }';
    expect(
      Array.isArray(checkOperation(schema, { query: skipped, variables: { s: true } }, low, rules)),
    ).toBe(false);
    const kept = checkOperation(schema, { query: skipped, variables: { s: false } }, low, rules);
    expect(Array.isArray(kept) && kept[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses variables with too many values in all, however they are nested', () => {
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    const [error] = refusal(GENERATE, { input: input({ extra: wide }) });
    expect(error?.message).toMatch(new RegExp(`at most ${MAX_VARIABLE_VALUES} are accepted`));
    // Every list under the length limit, 99 x 99 + 20 x 99 values in all.
    const square = (n: number) => Array.from({ length: n }, () => new Array(99).fill('x'));
    const [deep] = refusal(GENERATE, { input: input({ inputImages: square(20), more: square(99) }) });
    expect(deep?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: MAX_VARIABLE_VALUES });
  });

  it('gives one error when several fields are wrong', () => {
    const errors = refusal(GENERATE, {
      input: input({ width: 'wide', height: 'tall', inputImages: [1, 2] }),
    });
    expect(errors).toHaveLength(1);
    expect(['width', 'height', 'inputImages']).toContain(errors[0]?.extensions?.parameter);
    expect(accepted(GENERATE, { input: input() })).toBe(true);
  });
});

describe('errors per response', () => {
  it(`sends at most ${MAX_RESPONSE_ERRORS} errors and says how many were left out`, () => {
    const errors = Array.from({ length: 100 }, (_, i) => ({ message: `e${i}` }));
    const capped = capErrors(errors);
    expect(capped).toHaveLength(MAX_RESPONSE_ERRORS + 1);
    expect(capped.at(-1)?.extensions).toMatchObject({ code: 'TOO_MANY_ERRORS', omitted: 90 });
    expect(capErrors(errors.slice(0, 3))).toEqual(errors.slice(0, 3));
  });
});

describe('/v1 batches', () => {
  const ping = { taskType: 'ping' };

  it('refuses a batch over the task cap, and any task whose taskType is not a supported one', () => {
    expect(batchErrors([ping, ping, ping], 2)[0]).toMatchObject({ code: 'invalidTaskFormat', max: 2 });
    for (const taskType of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'videoInference']) {
      const taskUUID = randomUUID();
      expect(batchErrors([ping, { taskType, taskUUID }], 10)).toEqual([
        expect.objectContaining({ code: 'unsupportedTaskType', parameter: 'taskType', taskUUID }),
      ]);
    }
    expect(batchErrors([ping, {}, 7], 10).map((error) => error.code)).toEqual([
      'missingTaskType',
      'invalidTaskFormat',
    ]);
    expect(batchErrors([ping, { taskType: 'photoMaker' }], 10)).toEqual([]);
  });

  it('starts no task of a refused batch', async () => {
    const submitted: unknown[] = [];
    const tasks = new V1Tasks({
      submit: {
        reserve: async () => ({ ok: true, held: [] }),
        submit: async (request) => {
          submitted.push(request);
          throw new Error('no submission expected');
        },
      },
      reads: { get: async () => undefined },
      intake: {
        upload: async () => Promise.reject(new Error('no upload expected')),
        checkUpload: async () => Promise.reject(new Error('no dry run expected')),
      },
      estimate: { estimate: async () => Promise.reject(new Error('no estimate expected')) },
      uploads: { get: async () => null, set: async () => 'OK' } as never,
      blobs: { get: async () => undefined },
      imageUrls: { urlFor: () => 'http://images.test/x' },
      metrics: createApiMetrics(),
      logger,
      syncWaitMs: 1_000,
      maxTasks: 4,
    });
    const caller = { tenant: 'acme', limits: {}, requestId: 'r', signal: new AbortController().signal };
    const photoMaker = { taskType: 'photoMaker', taskUUID: randomUUID(), ...input(), model: 'civitai:1@1' };
    const outcome = await tasks.runBatch([photoMaker, { taskType: 'constructor' }], caller);
    expect(outcome).toMatchObject({ data: [], errors: [{ code: 'unsupportedTaskType' }] });
    expect(submitted).toEqual([]);
    expect((await tasks.runBatch([ping], caller)).data).toEqual([{ taskType: 'ping', pong: true }]);
  });
});
