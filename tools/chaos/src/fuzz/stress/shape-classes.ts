import { GENERATE } from '@photomaker/harness/client';
import { stringifyRunwareJson } from '@photomaker/schema';
import { aliasBomb, fragmentBomb, wrongTypedList } from './payloads.ts';
import {
  bearer,
  bounded,
  type ClassOutcome,
  notARefusal,
  parse,
  type StressContext,
  send,
  Tally,
} from './tally.ts';

/**
 * Alias and fragment bombs built on `__typename`: 15 `jobs(first:100)` pages (refused alone) with
 * thousands of aliased `__typename`s, and fragment chains expanding to 2^depth selections. Each must
 * be refused by the complexity/alias limits, never executed.
 */
export async function aliasAndFragmentBombs(ctx: StressContext): Promise<ClassOutcome> {
  const tally = new Tally();
  const shapes = [
    () => ({ what: '15 pages + 10,000 __typename aliases', query: aliasBomb(15, 10_000) }),
    () => ({ what: '15 pages + 50,000 __typename aliases', query: aliasBomb(15, 50_000) }),
    () => ({ what: '100,000 __typename aliases', query: aliasBomb(0, 100_000) }),
    () => ({ what: 'fragment chain of depth 16', query: fragmentBomb(16) }),
    () => ({ what: 'fragment chain of depth 24', query: fragmentBomb(24) }),
  ];
  let slowest = 0;
  await bounded(ctx.quick ? shapes.length : shapes.length * 4, 2, ctx.quick ? 40 : 90, async (i) => {
    const { what, query } = (shapes[i % shapes.length] as (typeof shapes)[number])();
    const reply = await send(ctx, '/graphql', JSON.stringify({ query }), bearer(ctx), 30_000);
    slowest = Math.max(slowest, reply.ms);
    tally.record(notARefusal(reply, what));
  });
  tally.notes.push(`slowest answer ${slowest} ms`);
  return tally;
}

/**
 * The most errors one refusal may carry: graphql-js stops coercing variables after 50 errors (plus its
 * "error limit reached"), so this only catches a cap lost; the cost of reaching it shows in the block.
 */
export const MAX_ERRORS_PER_ANSWER = 51;

/** How many errors an answer carries (GraphQL `errors` or /v1 `errors`). */
const errorCount = (text: string) => ((parse(text)?.errors as unknown[] | undefined) ?? []).length;

/**
 * `inputImages: [5,5,...]` of growing length over GraphQL and /v1: the 400k elements blocked the
 * loop 18 s with one error each. Each must be refused with a bounded number of errors.
 */
export async function longWrongTypedLists(ctx: StressContext): Promise<ClassOutcome> {
  const tally = new Tally();
  const lengths = ctx.quick ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 400_000];
  let mostErrors = 0;
  let slowest = 0;
  await bounded(lengths.length * 2, 1, ctx.quick ? 60 : 150, async (i) => {
    const length = lengths[Math.floor(i / 2)] as number;
    const input = {
      positivePrompt: 'a portrait photo',
      width: 128,
      height: 128,
      inputImages: wrongTypedList(length),
    };
    const viaGraphql = i % 2 === 0;
    const reply = viaGraphql
      ? await send(
          ctx,
          '/graphql',
          JSON.stringify({ query: GENERATE, variables: { input } }),
          bearer(ctx),
          60_000,
        )
      : await send(
          ctx,
          '/v1',
          stringifyRunwareJson([
            {
              taskType: 'photoMaker',
              taskUUID: crypto.randomUUID(),
              model: 'civitai:139562@344487',
              ...input,
            },
          ]),
          bearer(ctx),
          60_000,
        );
    const errors = errorCount(reply.text);
    mostErrors = Math.max(mostErrors, errors);
    slowest = Math.max(slowest, reply.ms);
    const what = `${length} numbers as inputImages via ${viaGraphql ? 'GraphQL' : '/v1'}`;
    tally.record(
      notARefusal(reply, what) ??
        (errors > MAX_ERRORS_PER_ANSWER ? `${what}: ${errors} errors in one answer` : undefined),
    );
  });
  tally.notes.push(`most errors in one answer ${mostErrors}; slowest answer ${slowest} ms`);
  return tally;
}

/** A valid GraphQL input with `inputImages` replaced: what the image and key classes start from. */
export const generateWith = (inputImages: string[]) =>
  JSON.stringify({
    query: GENERATE,
    variables: { input: { positivePrompt: 'a portrait photo', width: 128, height: 128, inputImages } },
  });
