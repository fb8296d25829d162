import type { PriceSource } from '../../jobs/estimate-job.ts';
import { withoutNulls } from '../../jobs/validate-params.ts';
import { builder } from '../builder.ts';
import { type InputErrorDetail, inputErrorDetails } from '../errors.ts';
import { PhotoMakerInput } from './photo-maker-input.ts';

const PathSegmentScalar = builder.scalarType('PathSegment', {
  description: 'A step of a path into the arguments: a field name (String) or a list index (Int).',
  serialize: (value) => value,
  parseValue: () => {
    throw new TypeError('PathSegment is an output type');
  },
});

const PriceSourceEnum = builder.enumType('PriceSource', {
  description: 'Where an estimate came from.',
  values: {
    RUNWARE: { description: "Runware's dry run (X-Runware-Dry-Run): the price Runware would charge." },
    CONFIGURED: {
      description:
        "Runware could not price it (unreachable, failing, or not configured): the tenant's configured price per image times the images.",
    },
  } as const,
});

const InputErrorRef = builder.objectRef<InputErrorDetail>('InputError').implement({
  description:
    "One bad parameter, as generatePhotoMaker reports it in BAD_USER_INPUT's extensions.runwareErrors.",
  fields: (t) => ({
    runwareCode: t.exposeString('runwareCode', { description: "Runware's code, e.g. invalidStrength." }),
    parameter: t.exposeString('parameter'),
    path: t.field({
      type: [PathSegmentScalar],
      description: 'From the argument: ["input", "inputImages", 2].',
      resolve: (detail) => detail.path,
    }),
    message: t.exposeString('message', { description: 'Names the field and the rule.' }),
    min: t.string({
      nullable: true,
      resolve: (detail) => (detail.min === undefined ? null : String(detail.min)),
    }),
    max: t.string({
      nullable: true,
      resolve: (detail) => (detail.max === undefined ? null : String(detail.max)),
    }),
    allowedValues: t.stringList({
      nullable: true,
      resolve: (detail) => detail.allowedValues?.map(String) ?? null,
    }),
  }),
});

interface EstimateView {
  ok: boolean;
  errors: InputErrorDetail[];
  images: number | null;
  costUsd: number | null;
  maxImages: number | null;
  maxCostUsd: number | null;
  source: PriceSource | null;
}

const PhotoMakerEstimateRef = builder.objectRef<EstimateView>('PhotoMakerEstimate').implement({
  description:
    'What generatePhotoMaker would do with this input: accept it (and at what price) or refuse it.',
  fields: (t) => ({
    ok: t.exposeBoolean('ok', { description: 'generatePhotoMaker would accept this input.' }),
    errors: t.field({
      type: [InputErrorRef],
      description: 'Why not: every bad parameter (empty when ok).',
      resolve: (view) => view.errors,
    }),
    images: t.int({ nullable: true, description: 'Images the job would make.', resolve: (v) => v.images }),
    costUsd: t.float({
      nullable: true,
      description:
        'Estimated USD for all its images; null when invalid, or when Runware cannot price and no price per image is configured.',
      resolve: (view) => view.costUsd,
    }),
    maxImages: t.int({
      nullable: true,
      description:
        'The most images it can make: numberResults plus every extra image regenerateBelow allows (what your image limits count at submission).',
      resolve: (view) => view.maxImages,
    }),
    maxCostUsd: t.float({
      nullable: true,
      description:
        'Estimated USD for maxImages images: the most the job can cost (what a daily spend cap counts).',
      resolve: (view) => view.maxCostUsd,
    }),
    source: t.field({ type: PriceSourceEnum, nullable: true, resolve: (view) => view.source }),
  }),
});

builder.queryField('estimatePhotoMaker', (t) =>
  t.field({
    type: PhotoMakerEstimateRef,
    description:
      "Validates like generatePhotoMaker and prices the job with Runware's dry run, starting nothing: no job, no charge, no place in the queue, nothing counted against your image quotas (the request itself is rate-limited like any other).",
    args: { input: t.arg({ type: PhotoMakerInput, required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await ctx.deps.estimate.estimate({
        tenant: ctx.tenant,
        input: { raw: withoutNulls(args.input) },
        cancelAfter: args.input.cancelAfter ?? undefined,
        priority: args.input.priority ?? undefined,
        options: {
          referenceCheck: args.input.referenceCheck ?? undefined,
          defaultReferenceCheck: ctx.defaultReferenceCheck,
          minLikeness: args.input.minLikeness ?? undefined,
          regenerateBelow: args.input.regenerateBelow ?? undefined,
          expiresIn: args.input.expiresIn ?? undefined,
        },
        limits: ctx.limits,
      });
      if (!result.ok)
        return {
          ok: false,
          errors: inputErrorDetails(result.errors, 'input', result.paths),
          images: null,
          costUsd: null,
          maxImages: null,
          maxCostUsd: null,
          source: null,
        };
      const { images, costUsd, maxImages, maxCostUsd, source } = result;
      return { ok: true, errors: [], images, costUsd, maxImages, maxCostUsd, source };
    },
  }),
);
