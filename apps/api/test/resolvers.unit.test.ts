import type { JobEvent, JobState } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/graphql/schema.ts';
import type { JobEventItem } from '../src/jobs/follow-job.ts';
import { InvalidInputError } from '../src/jobs/input-error.ts';
import type { SubmitRequest, SubmitResult } from '../src/jobs/submit-job.ts';
import { baseInput, GENERATE, JOB_EVENTS } from './helpers.ts';
import { fakeDeps, JOB_ID, queuedJob, run, subscribeAll } from './support/in-process.ts';

// The resolvers as thin mappers: protocol in, use case called with the right request, result or typed
// refusal mapped back. Use cases are faked; the real-stack suites (graphql-flows, auth-and-guards, ...)
// run the same operations against Temporal, Redis, the worker and the emulator.

const JOB = 'query($id: ID!) { job(id: $id) { id status stage seq } }';

async function* items(...list: JobEventItem[]): AsyncGenerator<JobEventItem> {
  yield* list;
}

describe('job(id)', () => {
  it('reads the tenant’s job by its canonical id', async () => {
    const asked: [string, string][] = [];
    const deps = fakeDeps({
      reads: {
        get: async (tenant, jobId) => {
          asked.push([tenant, jobId]);
          return queuedJob(tenant, jobId);
        },
      },
    });
    const result = await run(deps, JOB, { id: JOB_ID.toUpperCase() });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ job: { id: JOB_ID, status: 'QUEUED', stage: 'QUEUED', seq: 0 } });
    expect(asked).toEqual([['acme', JOB_ID]]);
  });

  it('is null for an id that is no job id (no read) and for a job that is not found', async () => {
    expect((await run(fakeDeps(), JOB, { id: 'not-a-uuid' })).data).toEqual({ job: null });
    const missing = fakeDeps({ reads: { get: async () => undefined } });
    expect((await run(missing, JOB, { id: JOB_ID })).data).toEqual({ job: null });
  });
});

describe('jobs', () => {
  const JOBS =
    'query($first: Int, $after: String) { jobs(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';

  it('passes the page request through and maps the page', async () => {
    let request: unknown;
    const deps = fakeDeps({
      list: {
        list: async (tenant, options) => {
          request = { tenant, ...options };
          return { nodes: [queuedJob()], hasNextPage: true, endCursor: 'c2' };
        },
      },
    });
    const result = await run(deps, JOBS, { first: 5, after: 'c1' });
    expect(request).toEqual({ tenant: 'acme', first: 5, after: 'c1', status: undefined });
    expect(result.data).toEqual({
      jobs: { nodes: [{ id: JOB_ID }], pageInfo: { hasNextPage: true, endCursor: 'c2' } },
    });
  });

  it('refuses a page size outside 1..pageSize, and maps a bad cursor to BAD_USER_INPUT on after', async () => {
    const tooBig = await run(fakeDeps({ pageSize: 10 }), JOBS, { first: 11 });
    expect(tooBig.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidFirst',
    });
    const badCursor = fakeDeps({
      list: {
        list: async () => {
          throw InvalidInputError.of(
            'invalidAfter',
            'after',
            "Invalid value for 'after': not a cursor of this list.",
          );
        },
      },
    });
    const result = await run(badCursor, JOBS, { after: 'x' });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidAfter',
      path: ['after'],
    });
  });
});

describe('generatePhotoMaker', () => {
  function submitting(result: SubmitResult) {
    const requests: SubmitRequest[] = [];
    const deps = fakeDeps({
      submit: {
        submit: async (request) => {
          requests.push(request);
          return result;
        },
      },
    });
    return { deps, requests };
  }

  it('hands the input (nulls dropped) and key to submit-job, waits only for SYNC, answers the job', async () => {
    const state = queuedJob();
    const { deps, requests } = submitting({ ok: true, state, created: true, params: {} as never });
    const result = await run(deps, GENERATE, { input: baseInput({ negativePrompt: null }), key: 'k-1' });
    expect(result.errors).toBeUndefined();
    expect((result.data as { generatePhotoMaker: { id: string } }).generatePhotoMaker.id).toBe(JOB_ID);
    const [request] = requests;
    expect(request).toMatchObject({
      tenant: 'acme',
      via: 'graphql',
      idempotencyKey: 'k-1',
      requestId: 'req-1',
    });
    expect(request?.input).toEqual({ raw: expect.not.objectContaining({ negativePrompt: null }) });
    expect(request?.waitFor?.({ deliveryMethod: 'sync' } as never)).toBe(true);
    expect(request?.waitFor?.({ deliveryMethod: 'async' } as never)).toBe(false);
  });

  it('maps invalid input to BAD_USER_INPUT with the parameter’s path', async () => {
    const { deps } = submitting({
      ok: false,
      reason: 'invalid',
      errors: [
        { code: 'invalidInputImages', parameter: 'inputImages', message: "Invalid value for 'inputImages'." },
      ],
      paths: new Map([['inputImages', ['inputImages', 1]]]),
    });
    const result = await run(deps, GENERATE, { input: baseInput() });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidInputImages',
      path: ['input', 'inputImages', 1],
    });
  });

  it('passes LoRAs (weight defaulting to 1), vae and promptWeighting through, and shows them on Job.task', async () => {
    const queued = queuedJob();
    const lora = [
      { model: 'civitai:58390@62833', weight: -0.5 },
      { model: 'civitai:1@2', weight: 1 },
    ];
    const state = {
      ...queued,
      task: { ...queued.task, lora, vae: 'civitai:101055@128078', promptWeighting: 'compel' as const },
    };
    const { deps, requests } = submitting({ ok: true, state, created: true, params: {} as never });
    const mutation = `mutation($input: PhotoMakerInput!) {
      generatePhotoMaker(input: $input) { task { lora { model weight } vae promptWeighting } }
    }`;
    const input = baseInput({
      lora: [{ model: 'civitai:58390@62833', weight: -0.5 }, { model: 'civitai:1@2' }],
      vae: 'civitai:101055@128078',
      promptWeighting: 'COMPEL',
    });
    const result = await run(deps, mutation, { input });
    expect(result.errors).toBeUndefined();
    expect(requests[0]?.input).toEqual({
      raw: expect.objectContaining({ lora, vae: 'civitai:101055@128078', promptWeighting: 'compel' }),
    });
    expect(result.data).toEqual({
      generatePhotoMaker: { task: { lora, vae: 'civitai:101055@128078', promptWeighting: 'COMPEL' } },
    });
  });

  it('maps a LoRA outside its rule to BAD_USER_INPUT at that LoRA’s path', async () => {
    const { validateParams, ParamsError } = await import('../src/jobs/validate-params.ts');
    let refusal: InstanceType<typeof ParamsError> | undefined;
    try {
      validateParams({
        ...baseInput(),
        model: 'civitai:139562@344487',
        lora: [{ model: 'civitai:1@1' }, { model: 'civitai:2@2', weight: 9 }],
      });
    } catch (error) {
      if (error instanceof ParamsError) refusal = error;
    }
    expect(refusal?.errors.map((e) => e.code)).toEqual(['invalidLoraWeight']);
    const { deps } = submitting({
      ok: false,
      reason: 'invalid',
      errors: refusal?.errors ?? [],
      paths: refusal?.paths ?? new Map(),
    });
    const result = await run(deps, GENERATE, { input: baseInput() });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidLoraWeight',
      path: ['input', 'lora', 1, 'weight'],
    });
  });

  it('maps a refused idempotencyKey to the idempotencyKey argument', async () => {
    const { deps } = submitting({
      ok: false,
      reason: 'invalid',
      errors: [{ code: 'conflictIdempotencyKey', parameter: 'idempotencyKey', message: 'used' }],
    });
    const result = await run(deps, GENERATE, { input: baseInput(), key: 'k' });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      runwareCode: 'conflictIdempotencyKey',
      path: ['idempotencyKey'],
    });
  });
});

describe('cancelJob', () => {
  const CANCEL = 'mutation($id: ID!) { cancelJob(id: $id) { id status } }';
  it('cancels the tenant’s job, and is NOT_FOUND for an unknown or malformed id', async () => {
    const cancelled: JobState = { ...queuedJob(), status: 'CANCELLED', stage: 'cancelled' };
    const deps = fakeDeps({
      jobs: {
        cancel: async (_t, id) => (id === JOB_ID ? cancelled : undefined),
        checkReferenceImage: async () => {
          throw new Error('not used here');
        },
      },
    });
    expect((await run(deps, CANCEL, { id: JOB_ID })).data).toEqual({
      cancelJob: { id: JOB_ID, status: 'CANCELLED' },
    });
    for (const id of ['3f0c6a52-0000-4d1e-9b1a-2a4b5c6d7e8f', 'nope']) {
      const result = await run(deps, CANCEL, { id });
      expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
  });
});

describe('jobEvents', () => {
  const event = (seq: number, stage: JobEvent['stage'], data: unknown): JobEvent =>
    ({ jobId: JOB_ID, seq, at: '2026-11-24T10:00:01.000Z', stage, data }) as JobEvent;

  it('maps the follow-job stream: a JobSnapshot, then one typed item per event, in order', async () => {
    const opened: unknown[] = [];
    const deps = fakeDeps({
      follow: {
        follow: async (tenant, jobId, options) => {
          opened.push({ tenant, jobId, afterSeq: options.afterSeq });
          return items(
            { kind: 'snapshot', at: '2026-11-24T10:00:00.500Z', state: queuedJob() },
            { kind: 'event', event: event(1, 'queued', { numberResults: 1 }) },
            {
              kind: 'event',
              event: event(2, 'submitted', {
                runwareTaskUUID: queuedJob().runwareTaskUUID,
                numberResults: 1,
              }),
            },
            {
              kind: 'event',
              event: event(3, 'failed', { error: { code: 'x', message: 'boom', retryable: false } }),
            },
          );
        },
      },
    });
    const results = await subscribeAll(deps, JOB_EVENTS, { jobId: JOB_ID.toUpperCase(), afterSeq: 0 });
    expect(opened).toEqual([{ tenant: 'acme', jobId: JOB_ID, afterSeq: 0 }]);
    const got = results.map(
      (r) => (r.data as { jobEvents: { __typename: string; seq: number; status: string } }).jobEvents,
    );
    expect(got.map((item) => [item.__typename, item.seq, item.status])).toEqual([
      ['JobSnapshot', 0, 'QUEUED'],
      ['JobQueued', 1, 'QUEUED'],
      ['JobSubmitted', 2, 'RUNNING'],
      ['JobFailed', 3, 'FAILED'],
    ]);
  });

  it('is NOT_FOUND when there is no such job, and refuses a negative afterSeq before following', async () => {
    const deps = fakeDeps({ follow: { follow: async () => undefined } });
    const [missing] = await subscribeAll(deps, JOB_EVENTS, { jobId: JOB_ID });
    expect(missing?.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const [negative] = await subscribeAll(fakeDeps(), JOB_EVENTS, { jobId: JOB_ID, afterSeq: -1 });
    expect(negative?.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      runwareCode: 'invalidAfterSeq',
    });
  });
});

describe('webhookSigningSecret', () => {
  it('answers the caller’s own tenant’s secret (the tenant of the API key, no argument)', async () => {
    const asked: string[] = [];
    const deps = fakeDeps({
      webhookSecrets: {
        current: (tenant) => {
          asked.push(tenant);
          return `whsec_of_${tenant}`;
        },
      },
    });
    const result = await run<{ webhookSigningSecret: string }>(deps, '{ webhookSigningSecret }');
    expect(result).toEqual({ data: { webhookSigningSecret: 'whsec_of_acme' } });
    expect(asked).toEqual(['acme']);
    // No argument can name another tenant.
    expect(schema.getQueryType()?.getFields().webhookSigningSecret?.args).toEqual([]);
  });
});
