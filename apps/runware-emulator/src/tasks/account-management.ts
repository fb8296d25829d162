import {
  type AccountDetailsResult,
  getDetailsTaskSchema,
  getUsageActivityTaskSchema,
  MAX_USAGE_WINDOW_DAYS,
  type UsageActivityResult,
  type UsageActivityRow,
  type UsageMeta,
  validateWith,
} from '@photomaker/schema';
import type { EmulatorContext } from '../context.ts';
import { failure, invalidParameter, type TaskFailure } from '../protocol/errors.ts';
import { failed, succeeded, type TaskOutcome } from '../protocol/outcome.ts';
import type { UsageDimension, UsageGroup } from '../state/usage-book.ts';

const DOCS = 'https://runware.ai/docs/platform/account-management';
/** One organization per emulator: a fixed id, so clients can compare answers. */
const ORGANIZATION_UUID = '6f1d2c1e-0b7a-4e5c-9a57-5e2f1c0a9d11';
const DAY_MS = 86_400_000;
const SECTIONS: Record<UsageDimension, 'timeseries' | 'model' | 'apiKey'> = {
  date: 'timeseries',
  model: 'model',
  apiKey: 'apiKey',
};

type Scope = { taskType: 'accountManagement'; taskUUID?: string | undefined };

function details(ctx: EmulatorContext, taskUUID: string): AccountDetailsResult {
  const { usage, keys } = ctx;
  return {
    taskType: 'accountManagement',
    taskUUID,
    operation: 'getDetails',
    organizationUUID: ORGANIZATION_UUID,
    organizationName: 'Runware emulator',
    balance: ctx.ledger.snapshot().balance,
    team: [{ name: 'Emulator owner', email: 'owner@emulator.invalid', role: 'Owner' }],
    apiKeys: Array.from({ length: keys.size }, (_, index) => ({
      apiKey: keys.masked(index),
      name: `key ${index + 1}`,
      lastUsedAt: usage.lastUsedAt(index),
      requests: usage.keyRequests(index),
    })),
    usage: {
      today: usage.totals(1),
      last7Days: usage.totals(7),
      last30Days: usage.totals(30),
      total: usage.totals(),
    },
  };
}

/** Both dates valid, in order, at most MAX_USAGE_WINDOW_DAYS days apart (both included), UTC only. */
function windowProblem(
  scope: Scope,
  task: { startDate: string; endDate: string; timezone?: string | undefined },
) {
  const start = Date.parse(`${task.startDate}T00:00:00Z`);
  const end = Date.parse(`${task.endDate}T00:00:00Z`);
  if (end < start) {
    return invalidParameter(
      scope,
      'endDate',
      "Invalid value for 'endDate': it must not be before startDate.",
    );
  }
  if ((end - start) / DAY_MS + 1 > MAX_USAGE_WINDOW_DAYS) {
    return invalidParameter(
      scope,
      'endDate',
      `Invalid value for 'endDate': the window from startDate to endDate must span at most ${MAX_USAGE_WINDOW_DAYS} days.`,
    );
  }
  if (task.timezone !== undefined && !['UTC', 'Etc/UTC'].includes(task.timezone)) {
    return invalidParameter(
      scope,
      'timezone',
      "Invalid value for 'timezone': this emulator reports UTC days only (UTC or Etc/UTC).",
    );
  }
  return undefined;
}

function meta(rows: readonly UsageGroup[], days: number): UsageMeta {
  let totalRequests = 0;
  let totalResults = 0;
  let nano = 0;
  for (const row of rows) {
    totalRequests += row.requests;
    totalResults += row.results;
    nano += Math.round(row.spend * 1e9);
  }
  const totalSpend = nano / 1e9;
  return { totalRequests, totalResults, totalSpend, avgDailySpend: Number((totalSpend / days).toFixed(9)) };
}

function usageActivity(ctx: EmulatorContext, raw: unknown, scope: Scope): TaskOutcome {
  const checked = validateWith(getUsageActivityTaskSchema, raw, { ...scope, documentation: DOCS });
  if (!checked.ok) return failed(checked.errors.map((error) => failure(error, 400)));
  const task = checked.value;
  const problem = windowProblem(scope, task);
  if (problem) return failed(problem);
  const filter = {
    startDate: task.startDate,
    endDate: task.endDate,
    models: task.models,
    keyIndexes: task.apiKeys ? ctx.keys.indexesOfMasked(task.apiKeys) : undefined,
  };
  const days = (Date.parse(task.endDate) - Date.parse(task.startDate)) / DAY_MS + 1;
  const usage: UsageActivityResult['usage'] = {};
  for (const dimension of new Set<UsageDimension>(task.groupBy ?? ['date'])) {
    // Each section is per day and split by its own dimension, as Runware's rows carry a date.
    const groups = ctx.usage.groups(filter, dimension === 'date' ? ['date'] : ['date', dimension]);
    const data = groups.map(
      (group): UsageActivityRow => ({
        date: group.date,
        count: group.requests,
        results: group.results,
        spend: group.spend,
        ...(group.model !== undefined ? { model: group.model } : {}),
        ...(group.keyIndex !== undefined ? { apiKey: ctx.keys.masked(group.keyIndex) } : {}),
      }),
    );
    usage[SECTIONS[dimension]] = { data, meta: meta(groups, days) };
  }
  const result: UsageActivityResult = {
    taskType: 'accountManagement',
    taskUUID: task.taskUUID,
    operation: 'getUsageActivity',
    startDate: task.startDate,
    endDate: task.endDate,
    usage,
  };
  return succeeded([result]);
}

function unsupported(scope: Scope): TaskFailure {
  return failure(
    {
      code: 'invalidOperation',
      message:
        "Invalid value for 'operation': this emulator supports getDetails and getUsageActivity (getUsagePerformance and getUsageErrors are not emulated).",
      parameter: 'operation',
      ...scope,
      documentation: DOCS,
    },
    400,
  );
}

/**
 * accountManagement: `getDetails` (balance, masked keys, usage today / 7 / 30 days / total) and
 * `getUsageActivity` (per UTC day, model or key: requests, results, spend), both from the usage book
 * that the ledger's charges feed. Free and instant, like Runware's.
 */
export function handleAccountManagement(ctx: EmulatorContext, raw: unknown): TaskOutcome {
  const record = (raw ?? {}) as { taskUUID?: unknown; operation?: unknown };
  const scope: Scope = {
    taskType: 'accountManagement',
    ...(typeof record.taskUUID === 'string' ? { taskUUID: record.taskUUID } : {}),
  };
  if (record.operation === 'getUsageActivity') return usageActivity(ctx, raw, scope);
  if (record.operation !== 'getDetails') return failed(unsupported(scope));
  const checked = validateWith(getDetailsTaskSchema, raw, { ...scope, documentation: DOCS });
  if (!checked.ok) return failed(checked.errors.map((error) => failure(error, 400)));
  return succeeded([details(ctx, checked.value.taskUUID)]);
}
