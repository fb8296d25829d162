import { jobIdFor } from '../../jobs/ids.ts';
import { InvalidInputError } from '../../jobs/input-error.ts';
import { fingerprintOf } from '../../jobs/job-service.ts';
import { checkOutboundUrls, ParamsError, validateParams, withoutNulls } from '../../jobs/validate-params.ts';
import { waitForJob } from '../../jobs/wait-for-job.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badUserInput, notFound } from '../errors.ts';
import { JobStatusEnum } from './enums.ts';
import { JobRef } from './job.ts';
import { PhotoMakerInput } from './photo-maker-input.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our input errors -> BAD_USER_INPUT; everything else propagates (and is masked). */
export function rethrowAsGraphQL(error: unknown, argument = 'input'): never {
  if (error instanceof ParamsError) throw badUserInput(error.errors, argument, error.paths);
  if (error instanceof InvalidInputError) throw badUserInput(error.errors, argument);
  throw error;
}

function countRejected(ctx: GraphQLContext, error: unknown): void {
  if (error instanceof InvalidInputError)
    for (const e of error.errors) ctx.services.metrics.inputRejected.inc({ via: 'graphql', code: e.code });
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
      if (!UUID.test(String(id))) return null;
      return (await ctx.services.jobs.get(ctx.tenant, String(id).toLowerCase())) ?? null;
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
      const max = ctx.services.config.limits.pageSize;
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
        const page = await ctx.services.jobs.list(ctx.tenant, {
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
    resolve: async (_root, args, ctx) => {
      const { services, tenant } = ctx;
      const key = args.idempotencyKey ?? undefined;
      try {
        if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
          throw InvalidInputError.of(
            'invalidIdempotencyKey',
            'idempotencyKey',
            "Invalid value for 'idempotencyKey': it must be 1 to 255 printable ASCII characters.",
          );
        }
        const raw = withoutNulls(args.input);
        const params = validateParams(raw);
        await checkOutboundUrls(services.guard, params);
        const { state, created } = await services.jobs.start({
          tenant,
          jobId: jobIdFor(tenant, key),
          params,
          requestId: ctx.requestId,
          idempotencyKey: key,
          ...(key !== undefined ? { fingerprint: fingerprintOf(raw) } : {}),
        });
        services.metrics.jobsStarted.inc({ via: 'graphql', created: String(created) });
        ctx.logger.info(
          { jobId: state.jobId, created, tenant },
          created ? 'job started' : 'idempotent replay',
        );
        if (params.deliveryMethod !== 'sync') return state;
        return await waitForJob(services, tenant, state, services.config.limits.syncWaitMs);
      } catch (error) {
        countRejected(ctx, error);
        if (error instanceof InvalidInputError && error.errors[0]?.parameter === 'idempotencyKey') {
          throw badUserInput(error.errors, 'idempotencyKey');
        }
        rethrowAsGraphQL(error);
      }
    },
  }),
);

builder.mutationField('cancelJob', (t) =>
  t.field({
    type: JobRef,
    description:
      'Requests cancellation; returns the job (it reaches CANCELLED shortly unless already finished).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const state = UUID.test(String(id))
        ? await ctx.services.jobs.cancel(ctx.tenant, String(id).toLowerCase())
        : undefined;
      if (!state) throw notFound('job');
      return state;
    },
  }),
);
