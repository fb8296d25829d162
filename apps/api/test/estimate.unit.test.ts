import { DEFAULT_MODEL, type PhotoMakerParams } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { EstimateJob } from '../src/jobs/estimate-job.ts';
import { InvalidInputError } from '../src/jobs/input-error.ts';
import type { SubmitRequest, SubmitResult } from '../src/jobs/submit-job.ts';
import { ParamsError, validateParams } from '../src/jobs/validate-params.ts';
import type { PriceAnswer, Pricer } from '../src/pricing/runware-pricer.ts';
import { baseInput, GENERATE } from './helpers.ts';
import { fakeDeps, logger, run } from './support/in-process.ts';

// estimatePhotoMaker over the real EstimateJob use case, its edges faked (intake, URL guard, pricer).
// The real-stack suite (estimate.test.ts) runs it against Redis, the blob store and the emulator.

const ESTIMATE = `query Estimate($input: PhotoMakerInput!) {
  estimatePhotoMaker(input: $input) {
    ok images costUsd maxImages maxCostUsd source
    errors { runwareCode parameter path message min max allowedValues }
  }
}`;

interface EstimateData {
  estimatePhotoMaker: {
    ok: boolean;
    images: number | null;
    costUsd: number | null;
    maxImages: number | null;
    maxCostUsd: number | null;
    source: string | null;
    errors: { runwareCode: string; parameter: string; path: (string | number)[]; message: string }[];
  };
}

/** A pricer that answers `answer` and records what it was asked. */
function pricer(answer: PriceAnswer) {
  const asked: { params: PhotoMakerParams; runwareImages: readonly (string | undefined)[] }[] = [];
  const fake: Pricer = {
    price: async (params, runwareImages) => {
      asked.push({ params, runwareImages });
      return answer;
    },
  };
  return { fake, asked };
}

function estimateDeps(options: {
  pricer?: Pricer;
  runwareImages?: (string | undefined)[];
  badImage?: boolean;
}) {
  const estimate = new EstimateJob({
    intake: {
      checkInputImages: async (_tenant, values) => {
        if (options.badImage)
          throw InvalidInputError.of(
            'invalidInputImages',
            'inputImages',
            "Invalid value for 'inputImages': x.",
          );
        return options.runwareImages ?? values.map(() => undefined);
      },
    },
    guard: { check: async () => ({}) as never },
    pricer: options.pricer,
    logger,
  });
  return fakeDeps({ estimate });
}

async function estimate(deps: ReturnType<typeof fakeDeps>, input: Record<string, unknown>) {
  const result = await run<EstimateData>(deps, ESTIMATE, { input });
  expect(result.errors).toBeUndefined();
  return result.data?.estimatePhotoMaker;
}

describe('estimatePhotoMaker', () => {
  it("answers Runware's price for a valid input, asking with the runware image UUIDs the intake found", async () => {
    const { fake, asked } = pricer({ kind: 'priced', costUsd: 0.0096 });
    const runwareUUID = '0b4c3a2e-7f6d-4e5c-9b8a-1a2b3c4d5e6f';
    const deps = estimateDeps({ pricer: fake, runwareImages: [undefined, runwareUUID] });
    const inline = String((baseInput().inputImages as string[])[0]);
    const data = await estimate(deps, baseInput({ numberResults: 4, inputImages: [inline, runwareUUID] }));
    expect(data).toEqual({
      ok: true,
      images: 4,
      costUsd: 0.0384,
      maxImages: 4,
      maxCostUsd: 0.0384,
      source: 'RUNWARE',
      errors: [],
    });
    // One Runware task per image (as the worker runs a job): one image priced, times four.
    expect(asked).toHaveLength(1);
    expect(asked[0]?.params).toMatchObject({ numberResults: 1, width: 512, steps: 4 });
    expect(asked[0]?.runwareImages).toEqual([undefined, runwareUUID]);
  });

  it('reports field errors exactly as generatePhotoMaker reports them, and prices nothing', async () => {
    const { fake, asked } = pricer({ kind: 'priced', costUsd: 1 });
    const deps = estimateDeps({ pricer: fake });
    deps.submit = {
      // The submission's own validation step (SubmitJob maps ParamsError the same way).
      submit: async (request: SubmitRequest): Promise<SubmitResult> => {
        try {
          validateParams('raw' in request.input ? request.input.raw : undefined);
        } catch (error) {
          if (error instanceof ParamsError)
            return { ok: false, reason: 'invalid', errors: error.errors, paths: error.paths };
          throw error;
        }
        throw new Error('expected invalid input');
      },
    };
    const bad = baseInput({ strength: 99, width: 500, inputImages: [] });
    const data = await estimate(deps, bad);
    const submitted = await run(deps, GENERATE, { input: bad });
    const reported = submitted.errors?.[0]?.extensions?.runwareErrors as Record<string, unknown>[];
    expect(data?.ok).toBe(false);
    expect(data?.costUsd).toBeNull();
    expect(
      data?.errors.map((error) => [error.runwareCode, error.parameter, error.path, error.message]),
    ).toEqual(reported.map((error) => [error.runwareCode, error.parameter, error.path, error.message]));
    expect(data?.errors.map((error) => error.parameter).sort()).toEqual(['inputImages', 'strength', 'width']);
    expect(asked).toEqual([]);
  });

  it('a bad reference image is a field error; cancelAfter is checked like a submission', async () => {
    const deps = estimateDeps({ badImage: true });
    const image = await estimate(deps, baseInput());
    expect(image?.errors.map((error) => error.parameter)).toEqual(['inputImages']);
    const deadline = await estimate(estimateDeps({}), baseInput({ cancelAfter: 'soon' }));
    expect(deadline?.errors[0]).toMatchObject({
      runwareCode: 'invalidCancelAfter',
      parameter: 'cancelAfter',
    });
  });

  it("Runware's own refusal (e.g. an unknown image UUID) is the estimate's field error", async () => {
    const { fake } = pricer({
      kind: 'invalid',
      errors: [{ code: 'invalidInputImages', parameter: 'inputImages', message: 'Invalid value for x.' }],
    });
    const data = await estimate(estimateDeps({ pricer: fake }), baseInput());
    expect(data).toMatchObject({ ok: false, costUsd: null, source: null });
    expect(data?.errors[0]).toMatchObject({
      runwareCode: 'invalidInputImages',
      path: ['input', 'inputImages'],
    });
  });

  it("falls back to the tenant's price per image, flagged CONFIGURED, when Runware cannot price", async () => {
    const { fake } = pricer({ kind: 'unavailable', reason: 'serviceUnavailable' });
    const deps = estimateDeps({ pricer: fake });
    const priced = await run<EstimateData>(deps, ESTIMATE, { input: baseInput({ numberResults: 3 }) });
    // contextFor gives the tenant no limits: no configured price, so the cost is unknown.
    expect(priced.data?.estimatePhotoMaker).toMatchObject({
      ok: true,
      images: 3,
      costUsd: null,
      source: 'CONFIGURED',
    });

    const job = new EstimateJob({
      intake: { checkInputImages: async (_t, values) => values.map(() => undefined) },
      guard: { check: async () => ({}) as never },
      pricer: fake,
      logger,
    });
    const configured = await job.estimate({
      tenant: 'acme',
      input: { raw: baseInput({ numberResults: 3, model: DEFAULT_MODEL }) },
      limits: { pricePerImageUsd: 0.1 },
    });
    expect(configured).toEqual({
      ok: true,
      images: 3,
      costUsd: 0.3,
      maxImages: 3,
      maxCostUsd: 0.3,
      source: 'CONFIGURED',
    });
    const noRunware = new EstimateJob({
      intake: { checkInputImages: async (_t, values) => values.map(() => undefined) },
      guard: { check: async () => ({}) as never },
      pricer: undefined,
      logger,
    });
    expect(
      await noRunware.estimate({
        tenant: 'acme',
        input: { raw: baseInput({ model: DEFAULT_MODEL }) },
        limits: { pricePerImageUsd: 0.0125 },
      }),
    ).toEqual({
      ok: true,
      images: 1,
      costUsd: 0.0125,
      maxImages: 1,
      maxCostUsd: 0.0125,
      source: 'CONFIGURED',
    });
  });

  it('checks the job options as generatePhotoMaker does, and prices the extra images regenerateBelow allows', async () => {
    const { fake, asked } = pricer({ kind: 'priced', costUsd: 0.01 });
    const deps = estimateDeps({ pricer: fake });
    const withExtras = await estimate(
      deps,
      baseInput({ numberResults: 3, minLikeness: 0.6, regenerateBelow: 2, referenceCheck: 'STRICT' }),
    );
    expect(withExtras).toMatchObject({ ok: true, images: 3, costUsd: 0.03, maxImages: 5, maxCostUsd: 0.05 });
    // Each refused the way a submission refuses it, nothing priced.
    const refusals = [
      [{ regenerateBelow: 1 }, 'invalidRegenerateBelow', 'regenerateBelow'],
      [{ minLikeness: 0.6, regenerateBelow: 2 }, 'invalidRegenerateBelow', 'regenerateBelow'],
      [{ minLikeness: 2 }, 'invalidMinLikeness', 'minLikeness'],
      [{ expiresIn: 'later' }, 'invalidExpiresIn', 'expiresIn'],
    ] as const;
    for (const [options, runwareCode, parameter] of refusals) {
      const refused = await estimate(deps, baseInput({ numberResults: 1, ...options }));
      expect(refused).toMatchObject({ ok: false, costUsd: null, maxCostUsd: null });
      expect(refused?.errors[0]).toMatchObject({ runwareCode, parameter });
    }
    expect(asked).toHaveLength(1);
  });

  it('checks the priority as generatePhotoMaker does: the GraphQL enum, then the use case', async () => {
    const { fake, asked } = pricer({ kind: 'priced', costUsd: 0.01 });
    const deps = estimateDeps({ pricer: fake });
    const high = await estimate(deps, baseInput({ priority: 'HIGH', numberResults: 2 }));
    expect(high).toMatchObject({ ok: true, images: 2, costUsd: 0.02 });
    const unknown = await run(deps, ESTIMATE, { input: baseInput({ priority: 'URGENT' }) });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const job = new EstimateJob({
      intake: { checkInputImages: async (_t, values) => values.map(() => undefined) },
      guard: { check: async () => ({}) as never },
      pricer: fake,
      logger,
    });
    const refused = await job.estimate({
      tenant: 'acme',
      input: { raw: baseInput({ model: DEFAULT_MODEL }) },
      priority: 'URGENT',
      limits: {},
    });
    expect(refused).toMatchObject({
      ok: false,
      errors: [{ code: 'invalidPriority', parameter: 'priority' }],
    });
    expect(asked).toHaveLength(1);
  });
});
