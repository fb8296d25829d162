import { SpanKind, type SpanOptions, withSpan } from '@photomaker/observability';
import { normalizeJobId } from '@photomaker/schema';
import { InvalidInputError } from '../../jobs/input-error.ts';
import type { SubmitResult } from '../../jobs/submit-job.ts';
import { ParamsError, withoutNulls } from '../../jobs/validate-params.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badUserInput, limitExceeded, notFound } from '../errors.ts';
import { JobStatusEnum } from './enums.ts';
import { JobRef } from './job.ts';
import { PhotoMakerInput } from './photo-maker-input.ts';
import { chosenWebhookEvents } from './webhook-events.ts';

/** Our input errors -> BAD_USER_INPUT; everything else propagates (and is masked). */
export function rethrowAsGraphQL(error: unknown, argument = 'input'): never {
  if (error instanceof ParamsError) throw badUserInput(error.errors, argument, error.paths);
  if (error instanceof InvalidInputError) throw badUserInput(error.errors, argument);
  throw error;
}

/** A refused submission -> RATE_LIMITED / QUOTA_EXCEEDED, or BAD_USER_INPUT on the argument at fault. */
function submitError(result: Exclude<SubmitResult, { ok: true }>): never {
  if (result.reason === 'exists')
    throw new Error('a job submitted through GraphQL cannot be refused as existing');
  if (result.reason === 'limited') throw limitExceeded(result.refusal);
  const argument = result.errors[0]?.parameter === 'idempotencyKey' ? 'idempotencyKey' : 'input';
  throw badUserInput(result.errors, argument, result.paths);
}

/** The span of one generatePhotoMaker: ids and the transport only (the input stays out of traces). */
function mutationSpan(ctx: GraphQLContext): SpanOptions {
  return {
    kind: SpanKind.SERVER,
    root: true,
    ...(ctx.traceLinks && ctx.traceLinks.length > 0 ? { links: ctx.traceLinks } : {}),
    attributes: {
      'graphql.operation.type': 'mutation',
      'photomaker.transport': ctx.transport === 'ws' ? 'graphql-ws' : 'graphql',
      'photomaker.tenant': ctx.tenant,
      'photomaker.request_id': ctx.requestId,
    },
  };
}

const PageInfo = builder.objectRef<{ hasNextPage: boolean; endCursor: string | null }>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    endCursor: t.exposeString('endCursor', {
      nullable: true,
      description: 'Pass as `after` for the next page.',
    }),
  }),
});

const JobConnection = builder
  .objectRef<{
    nodes: import('@photomaker/schema').JobState[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  }>('JobConnection')
  .implement({
    description: 'A page of jobs, newest first.',
    fields: (t) => ({
      nodes: t.field({ type: [JobRef], resolve: (page) => page.nodes }),
      pageInfo: t.field({ type: PageInfo, resolve: (page) => page.pageInfo }),
    }),
  });

builder.queryField('job', (t) =>
  t.field({
    type: JobRef,
    nullable: true,
    description: 'One of your jobs; null when it does not exist (or is not yours).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const jobId = normalizeJobId(String(id));
      return jobId ? ((await ctx.deps.reads.get(ctx.tenant, jobId)) ?? null) : null;
    },
  }),
);

builder.queryField('jobs', (t) =>
  t.field({
    type: JobConnection,
    description: 'Your jobs, newest first, from Temporal visibility; filter by status; page with `after`.',
    args: {
      first: t.arg.int({ defaultValue: 20, description: 'Page size, 1 to PHOTOMAKER_MAX_PAGE_SIZE (100).' }),
      after: t.arg.string({ description: 'pageInfo.endCursor of the previous page.' }),
      status: t.arg({ type: JobStatusEnum }),
    },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? 20;
      const max = ctx.deps.pageSize;
      if (first < 1 || first > max) {
        throw badUserInput(
          [
            {
              code: 'invalidFirst',
              parameter: 'first',
              message: `Invalid value for 'first': it must be an integer from 1 to ${max}.`,
            },
          ],
          'first',
        );
      }
      try {
        const page = await ctx.deps.list.list(ctx.tenant, {
          first,
          after: args.after,
          status: args.status,
        });
        return { nodes: page.nodes, pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
      } catch (error) {
        rethrowAsGraphQL(error, 'after');
      }
    },
  }),
);

builder.mutationField('generatePhotoMaker', (t) =>
  t.field({
    type: JobRef,
    description:
      'Validates (Runware rules), stores reference images, starts the job. ASYNC (default) returns the queued job; ' +
      'SYNC waits for it (bounded). The same idempotencyKey from the same tenant returns the same job.',
    args: {
      input: t.arg({ type: PhotoMakerInput, required: true }),
      idempotencyKey: t.arg.string({
        description: '1-255 printable ASCII characters, unique per intended job.',
      }),
    },
    // A new trace per submission, the root of its job's (README "Traces"), for HTTP and graphql-ws alike.
    resolve: (_root, args, ctx) =>
      withSpan('photomaker-api', 'graphql mutation generatePhotoMaker', mutationSpan(ctx), async () => {
        const result = await ctx.deps.submit.submit({
          tenant: ctx.tenant,
          via: 'graphql',
          input: { raw: withoutNulls(args.input) },
          logger: ctx.logger,
          requestId: ctx.requestId,
          idempotencyKey: args.idempotencyKey ?? undefined,
          cancelAfter: args.input.cancelAfter ?? undefined,
          priority: args.input.priority ?? undefined,
          defaultPriority: ctx.defaultPriority,
          referenceCheck: args.input.referenceCheck ?? undefined,
          defaultReferenceCheck: ctx.defaultReferenceCheck,
          minLikeness: args.input.minLikeness ?? undefined,
          regenerateBelow: args.input.regenerateBelow ?? undefined,
          expiresIn: args.input.expiresIn ?? undefined,
          webhookEvents: chosenWebhookEvents(args.input.webhookEvents),
          keyId: ctx.keyId,
          limits: ctx.limits,
          waitFor: (params) => params.deliveryMethod === 'sync',
        });
        if (!result.ok) submitError(result);
        return result.state;
      }),
  }),
);

builder.mutationField('cancelJob', (t) =>
  t.field({
    type: JobRef,
    description:
      'Requests cancellation; returns the job (it reaches CANCELLED shortly unless already finished).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const jobId = normalizeJobId(String(id));
      const state = jobId ? await ctx.deps.jobs.cancel(ctx.tenant, jobId) : undefined;
      if (!state) throw notFound('job');
      return state;
    },
  }),
);
