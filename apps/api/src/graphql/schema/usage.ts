import { InvalidInputError } from '../../jobs/input-error.ts';
import type { UsageReportResult, UsageRow, UsageTotals } from '../../jobs/usage-report.ts';
import { builder } from '../builder.ts';
import { rethrowAsGraphQL } from './job-operations.ts';
import { DateTimeScalar } from './scalars.ts';

export const UsageGroupByEnum = builder.enumType('UsageGroupBy', {
  description: 'How usage rows are grouped: per UTC day, per model (AIR), or per API key id.',
  values: {
    DAY: { value: 'DAY', description: 'One row per UTC day (key: YYYY-MM-DD).' },
    MODEL: { value: 'MODEL', description: 'One row per model (key: its AIR).' },
    KEY: {
      value: 'KEY',
      description: 'One row per API key (key: its id, a sha256 prefix; empty for jobs of older versions).',
    },
  } as const,
});

const UsageJobs = builder.objectRef<UsageTotals['jobs']>('UsageJobs').implement({
  description: 'Finished jobs by how they ended.',
  fields: (t) => ({
    succeeded: t.exposeInt('succeeded'),
    failed: t.exposeInt('failed'),
    cancelled: t.exposeInt('cancelled', { description: 'Cancelled on request.' }),
    timedOut: t.exposeInt('timedOut', { description: 'Ended by their deadline (cancelAfter).' }),
    total: t.exposeInt('total'),
  }),
});

const UsageTotalsRef = builder.objectRef<UsageTotals>('UsageTotals').implement({
  description: 'Jobs, images and Runware cost over a period.',
  fields: (t) => ({
    jobs: t.field({ type: UsageJobs, resolve: (totals) => totals.jobs }),
    images: t.exposeInt('images', { description: 'Images the jobs made (each counted once).' }),
    costUsd: t.exposeFloat('costUsd', { description: "Runware's cost of those images, USD (includeCost)." }),
    imagesWithoutCost: t.exposeInt('imagesWithoutCost', {
      description: 'Images Runware reported no cost for: not in costUsd.',
    }),
    jobsWithoutCost: t.exposeInt('jobsWithoutCost', { description: 'Jobs holding such images.' }),
  }),
});

const UsageRowRef = builder.objectRef<UsageRow>('UsageRow').implement({
  description: 'One group of a usage report, for one tenant.',
  fields: (t) => ({
    tenant: t.exposeString('tenant'),
    key: t.exposeString('key', { description: 'The day (YYYY-MM-DD), model AIR or API key id it groups.' }),
    totals: t.field({ type: UsageTotalsRef, resolve: (row) => row }),
  }),
});

const TenantUsage = builder.objectRef<UsageReportResult['tenants'][number]>('TenantUsage').implement({
  fields: (t) => ({
    tenant: t.exposeString('tenant'),
    total: t.field({ type: UsageTotalsRef, resolve: (entry) => entry.total }),
  }),
});

const UsageReportRef = builder.objectRef<UsageReportResult>('UsageReport').implement({
  description:
    'Usage recorded as jobs finished (durable, not recomputed): per UTC day of the end, a day counts whole.',
  fields: (t) => ({
    from: t.field({ type: DateTimeScalar, resolve: (report) => report.from }),
    to: t.field({ type: DateTimeScalar, resolve: (report) => report.to }),
    groupBy: t.field({ type: UsageGroupByEnum, resolve: (report) => report.groupBy }),
    allTenants: t.exposeBoolean('allTenants', {
      description: 'True for an admin key: every tenant is in the report.',
    }),
    rows: t.field({ type: [UsageRowRef], resolve: (report) => report.rows }),
    tenants: t.field({ type: [TenantUsage], resolve: (report) => report.tenants }),
    total: t.field({ type: UsageTotalsRef, resolve: (report) => report.total }),
  }),
});

builder.queryField('usage', (t) =>
  t.field({
    type: UsageReportRef,
    description:
      "Your usage over [from, to) (at most 366 UTC days): jobs by outcome, images, Runware's cost; grouped by day, " +
      'model or API key. An admin key (PHOTOMAKER_ADMIN_TENANTS, or admin: true in the tenants file) sees every tenant and a total.',
    args: {
      from: t.arg({ type: DateTimeScalar, required: true }),
      to: t.arg({ type: DateTimeScalar, required: true }),
      groupBy: t.arg({ type: UsageGroupByEnum, required: true, defaultValue: 'DAY' }),
    },
    resolve: async (_root, args, ctx) => {
      try {
        return await ctx.deps.usage.report({
          tenant: ctx.tenant,
          admin: ctx.admin === true,
          from: args.from,
          to: args.to,
          groupBy: args.groupBy,
        });
      } catch (error) {
        const argument = error instanceof InvalidInputError ? error.errors[0]?.parameter : undefined;
        rethrowAsGraphQL(error, argument === 'from' ? 'from' : 'to');
      }
    },
  }),
);
