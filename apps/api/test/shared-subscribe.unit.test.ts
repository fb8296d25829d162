import { buildSchema, type ExecutionResult, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SHARED, sharedSubscribe } from '../src/graphql/shared-subscribe.ts';

// One event source for every subscriber, as the event hub hands each subscriber of a job the same object.
const schema = buildSchema(`
  type Event { seq: Int!, stage: String! }
  type Query { ok: Boolean }
  type Subscription { events(jobId: ID!, afterSeq: Int): Event! }
`);
const payload = { events: { seq: 3, stage: 'running' }, [SHARED]: true };
const rootValue = {
  events: async function* () {
    yield payload;
  },
};
const document = parse(`
  subscription S($jobId: ID!, $afterSeq: Int, $withStage: Boolean!) {
    events(jobId: $jobId, afterSeq: $afterSeq) { seq stage @include(if: $withStage) }
  }
`);

async function firstResult(variableValues: Record<string, unknown>): Promise<ExecutionResult> {
  const stream = await sharedSubscribe({ schema, document, rootValue, variableValues });
  if (!(Symbol.asyncIterator in stream)) throw new Error('not a stream');
  const step = await stream.next();
  await stream.return?.(undefined);
  return step.value as ExecutionResult;
}

describe('sharedSubscribe', () => {
  it('shares one result between subscribers that sent the same text and variables', async () => {
    const a = await firstResult({ jobId: 'j', afterSeq: 0, withStage: true });
    const b = await firstResult({ jobId: 'j', afterSeq: 0, withStage: true });
    expect(a).toEqual({ data: { events: { seq: 3, stage: 'running' } } });
    expect(b).toBe(a);
  });

  it('executes again for other variables: a field may depend on them', async () => {
    const a = await firstResult({ jobId: 'j', afterSeq: 0, withStage: true });
    const b = await firstResult({ jobId: 'j', afterSeq: 0, withStage: false });
    expect(a).toEqual({ data: { events: { seq: 3, stage: 'running' } } });
    expect(b).toEqual({ data: { events: { seq: 3 } } });
  });
});
