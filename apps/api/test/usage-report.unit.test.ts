import type { UsageCell } from '@photomaker/events';
import type { JobState } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import type { RetryRequest, RetryResult } from '../src/jobs/job-retries.ts';
import { daysOf, MAX_USAGE_DAYS, summarize, type UsageQuery, UsageReport } from '../src/jobs/usage-report.ts';
import { fakeDeps, JOB_ID, queuedJob, run } from './support/in-process.ts';

const cell = (
  tenant: string,
  day: string,
  model: string,
  keyId: string,
  extra: Partial<UsageCell> = {},
): UsageCell => ({
  tenant,
  day,
  model,
  keyId,
  jobs: { SUCCEEDED: 1, FAILED: 0, CANCELLED: 0, TIMED_OUT: 0 },
  images: 2,
  costUsd: 0.1,
  imagesWithoutCost: 0,
  jobsWithoutCost: 0,
  ...extra,
});

describe('daysOf', () => {
  it('lists the UTC days a [from, to) range overlaps; a range ending at midnight leaves that day out', () => {
    expect(daysOf('2026-12-01T10:00:00Z', '2026-12-03T00:00:00Z')).toEqual(['2026-12-01', '2026-12-02']);
    // Offsets are read as the instants they name: 00:30+01:00 is 23:30 UTC the day before.
    expect(daysOf('2026-12-02T00:30:00+01:00', '2026-12-02T01:00:00Z')).toEqual(['2026-12-01', '2026-12-02']);
  });

  it('refuses a backwards range, a bad timestamp and more than 366 days, naming the argument', () => {
    expect(() => daysOf('2026-12-02T00:00:00Z', '2026-12-01T00:00:00Z')).toThrow(
      /'to': it must be after from/,
    );
    expect(() => daysOf('yesterday', '2026-12-01T00:00:00Z')).toThrow(/'from'/);
    expect(daysOf('2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z')).toHaveLength(MAX_USAGE_DAYS);
    expect(() => daysOf('2024-01-01T00:00:00Z', '2025-01-02T00:00:00Z')).toThrow(/at most 366 days/);
  });
});

describe('summarize', () => {
  const cells = [
    cell('b', '2026-12-01', 'm1', 'k1'),
    cell('a', '2026-12-02', 'm1', 'k2', {
      jobs: { SUCCEEDED: 0, FAILED: 1, CANCELLED: 1, TIMED_OUT: 1 },
      costUsd: 0.2,
    }),
    cell('a', '2026-12-01', 'm2', 'k2', { imagesWithoutCost: 2, jobsWithoutCost: 1, costUsd: 0 }),
  ];

  it('groups per tenant and day, model or key; totals per tenant and overall, cost exact', () => {
    const byModel = summarize(cells, 'MODEL');
    expect(byModel.rows.map((row) => [row.tenant, row.key, row.jobs.total, row.costUsd])).toEqual([
      ['a', 'm1', 3, 0.2],
      ['a', 'm2', 1, 0],
      ['b', 'm1', 1, 0.1],
    ]);
    expect(byModel.total).toEqual({
      jobs: { succeeded: 2, failed: 1, cancelled: 1, timedOut: 1, total: 5 },
      images: 6,
      costUsd: 0.3,
      imagesWithoutCost: 2,
      jobsWithoutCost: 1,
    });
    expect(byModel.tenants.map((entry) => [entry.tenant, entry.total.images])).toEqual([
      ['a', 4],
      ['b', 2],
    ]);
    expect(summarize(cells, 'DAY').rows.map((row) => row.key)).toEqual([
      '2026-12-01',
      '2026-12-02',
      '2026-12-01',
    ]);
    expect(summarize(cells, 'KEY').rows.map((row) => `${row.tenant}:${row.key}`)).toEqual(['a:k2', 'b:k1']);
  });

  it('the report asks the records for the tenant alone, or every tenant for an admin', async () => {
    const asked: unknown[] = [];
    const report = new UsageReport({
      cells: async (days, tenants) => {
        asked.push([days.length, tenants]);
        return [];
      },
    });
    const query: UsageQuery = {
      tenant: 'a',
      admin: false,
      from: '2026-12-01T00:00:00Z',
      to: '2026-12-08T00:00:00Z',
      groupBy: 'DAY',
    };
    expect((await report.report(query)).allTenants).toBe(false);
    expect((await report.report({ ...query, admin: true })).allTenants).toBe(true);
    expect(asked).toEqual([
      [7, ['a']],
      [7, 'all'],
    ]);
  });
});

const USAGE = `query($from: DateTime!, $to: DateTime!) {
  usage(from: $from, to: $to) { allTenants groupBy rows { tenant key totals { images } } total { costUsd } }
}`;

describe('usage resolver', () => {
  it('passes the caller (tenant, admin flag) and groupBy (DAY by default) to the report', async () => {
    const queries: UsageQuery[] = [];
    const deps = fakeDeps({
      usage: {
        report: async (query) => {
          queries.push(query);
          return {
            ...query,
            allTenants: query.admin,
            ...summarize([cell('acme', '2026-12-01', 'm', 'k')], query.groupBy),
          };
        },
      },
    });
    const vars = { from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' };
    const result = await run(deps, USAGE, vars);
    expect(result.data).toEqual({
      usage: {
        allTenants: false,
        groupBy: 'DAY',
        rows: [{ tenant: 'acme', key: '2026-12-01', totals: { images: 2 } }],
        total: { costUsd: 0.1 },
      },
    });
    await run(deps, USAGE, vars, { admin: true });
    expect(queries.map((query) => [query.tenant, query.admin, query.groupBy])).toEqual([
      ['acme', false, 'DAY'],
      ['acme', true, 'DAY'],
    ]);
  });

  it('maps a range error to BAD_USER_INPUT on the argument at fault', async () => {
    const deps = fakeDeps({ usage: new UsageReport({ cells: async () => [] }) });
    const result = await run(deps, USAGE, { from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(result.errors?.[0]?.message).toContain("'to'");
  });
});

describe('retryJob resolver', () => {
  const RETRY = 'mutation($id: ID!) { retryJob(id: $id) { id retryOfId } }';
  const fake = (result: RetryResult) => {
    const requests: RetryRequest[] = [];
    const deps = fakeDeps({
      retry: {
        retry: async (request) => {
          requests.push(request);
          return result;
        },
      },
    });
    return { deps, requests };
  };

  it('calls the use case with the caller and the normalized id; answers the new job', async () => {
    const state: JobState = {
      ...queuedJob(),
      jobId: 'b4f0b3d2-6d0f-4b43-9bde-1f3c1d0e0a99',
      retryOf: JOB_ID,
    };
    const { deps, requests } = fake({ ok: true, state, created: true });
    const result = await run(deps, RETRY, { id: JOB_ID.toUpperCase() }, { keyId: 'abcdef012345' });
    expect(result.data).toEqual({ retryJob: { id: state.jobId, retryOfId: JOB_ID } });
    expect(requests.map((r) => [r.tenant, r.jobId, r.keyId])).toEqual([['acme', JOB_ID, 'abcdef012345']]);
  });

  it('not found -> NOT_FOUND; a running or succeeded job -> BAD_USER_INPUT naming id and the rule', async () => {
    expect(
      (await run(fake({ ok: false, reason: 'not-found' }).deps, RETRY, { id: JOB_ID })).errors?.[0]
        ?.extensions,
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
    const refused = await run(fake({ ok: false, reason: 'not-retryable', status: 'RUNNING' }).deps, RETRY, {
      id: JOB_ID,
    });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(refused.errors?.[0]?.message).toContain(
      'is RUNNING; only a FAILED, CANCELLED or timed-out job can be retried',
    );
    const limited = await run(
      fake({
        ok: false,
        reason: 'limited',
        refusal: {
          code: 'RATE_LIMITED',
          limitName: 'maxQueuedJobs',
          limit: 1,
          current: 1,
          retryAfterSeconds: 5,
        },
      }).deps,
      RETRY,
      { id: JOB_ID },
    );
    expect(limited.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      limitName: 'maxQueuedJobs',
    });
  });
});
