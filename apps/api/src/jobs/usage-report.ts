import { daysBetween, type UsageCell, type UsageRecords } from '@photomaker/events';
import type { RunwareError } from '@photomaker/schema';
import { InvalidInputError } from './input-error.ts';

/** A report covers at most this many UTC days (a year, leap years included). */
export const MAX_USAGE_DAYS = 366;

export type UsageGroupBy = 'DAY' | 'MODEL' | 'KEY';

export interface UsageTotals {
  jobs: { succeeded: number; failed: number; cancelled: number; timedOut: number; total: number };
  images: number;
  costUsd: number;
  imagesWithoutCost: number;
  jobsWithoutCost: number;
}

/** One row of a report: its tenant and the day (YYYY-MM-DD), model (AIR) or key id it groups by. */
export interface UsageRow extends UsageTotals {
  tenant: string;
  key: string;
}

export interface UsageReportResult {
  from: string;
  to: string;
  groupBy: UsageGroupBy;
  /** The report covers every tenant (an admin's). */
  allTenants: boolean;
  rows: UsageRow[];
  /** Per tenant, its totals (one entry for a tenant's own report). */
  tenants: { tenant: string; total: UsageTotals }[];
  total: UsageTotals;
}

export interface UsageQuery {
  tenant: string;
  admin: boolean;
  from: string;
  to: string;
  groupBy: UsageGroupBy;
}

const NANO = 1_000_000_000;
const DAY_MS = 86_400_000;

function rangeError(parameter: 'from' | 'to', message: string): InvalidInputError {
  const error: RunwareError = {
    code: parameter === 'from' ? 'invalidFrom' : 'invalidTo',
    parameter,
    message: `Invalid value for '${parameter}': ${message}.`,
  };
  return new InvalidInputError([error]);
}

/**
 * The UTC days a [from, to) range overlaps; usage is kept per day, so a day counts whole. Throws
 * InvalidInputError naming the argument: bad timestamps, `to` not after `from`, more than MAX_USAGE_DAYS.
 */
export function daysOf(from: string, to: string): string[] {
  const start = Date.parse(from);
  const end = Date.parse(to);
  if (Number.isNaN(start)) throw rangeError('from', 'it must be an ISO-8601 timestamp');
  if (Number.isNaN(end)) throw rangeError('to', 'it must be an ISO-8601 timestamp');
  if (end <= start) throw rangeError('to', 'it must be after from');
  const first = new Date(start).toISOString().slice(0, 10);
  const last = new Date(end - 1).toISOString().slice(0, 10);
  const count = (Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS + 1;
  if (count > MAX_USAGE_DAYS) {
    throw rangeError(
      'to',
      `a usage report covers at most ${MAX_USAGE_DAYS} days (this range spans ${count})`,
    );
  }
  return daysBetween(first, last);
}

const emptyTotals = (): UsageTotals & { nano: number } => ({
  jobs: { succeeded: 0, failed: 0, cancelled: 0, timedOut: 0, total: 0 },
  images: 0,
  costUsd: 0,
  imagesWithoutCost: 0,
  jobsWithoutCost: 0,
  nano: 0,
});

function add(into: UsageTotals & { nano: number }, cell: UsageCell): void {
  const { jobs } = cell;
  into.jobs.succeeded += jobs.SUCCEEDED;
  into.jobs.failed += jobs.FAILED;
  into.jobs.cancelled += jobs.CANCELLED;
  into.jobs.timedOut += jobs.TIMED_OUT;
  into.jobs.total += jobs.SUCCEEDED + jobs.FAILED + jobs.CANCELLED + jobs.TIMED_OUT;
  into.images += cell.images;
  // Cells hold exact nano-USD sums; adding USD floats would drift (0.1 + 0.2).
  into.nano += Math.round(cell.costUsd * NANO);
  into.imagesWithoutCost += cell.imagesWithoutCost;
  into.jobsWithoutCost += cell.jobsWithoutCost;
}

function finish<T extends UsageTotals & { nano: number }>(totals: T): Omit<T, 'nano'> {
  const { nano, ...rest } = totals;
  return { ...rest, costUsd: nano / NANO };
}

const keyOf = (cell: UsageCell, groupBy: UsageGroupBy) =>
  groupBy === 'DAY' ? cell.day : groupBy === 'MODEL' ? cell.model : cell.keyId;

/** Cells -> rows (per tenant and group key, sorted), per-tenant totals and the grand total. Pure. */
export function summarize(
  cells: readonly UsageCell[],
  groupBy: UsageGroupBy,
): Pick<UsageReportResult, 'rows' | 'tenants' | 'total'> {
  const rows = new Map<string, UsageRow & { nano: number }>();
  const tenants = new Map<string, UsageTotals & { nano: number }>();
  const total = emptyTotals();
  for (const cell of cells) {
    const key = keyOf(cell, groupBy);
    const id = `${cell.tenant}\u0000${key}`;
    const row = rows.get(id) ?? { ...emptyTotals(), tenant: cell.tenant, key };
    add(row, cell);
    rows.set(id, row);
    const own = tenants.get(cell.tenant) ?? emptyTotals();
    add(own, cell);
    tenants.set(cell.tenant, own);
    add(total, cell);
  }
  return {
    rows: [...rows.values()]
      .map(finish)
      .sort((a, b) => a.tenant.localeCompare(b.tenant) || a.key.localeCompare(b.key)),
    tenants: [...tenants.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tenant, totals]) => ({ tenant, total: finish(totals) })),
    total: finish(total),
  };
}

/** The `usage` query: the caller's tenant, or every tenant for an admin, from the durable usage records. */
export class UsageReport {
  private readonly records: Pick<UsageRecords, 'cells'>;

  constructor(records: Pick<UsageRecords, 'cells'>) {
    this.records = records;
  }

  async report(query: UsageQuery): Promise<UsageReportResult> {
    const days = daysOf(query.from, query.to);
    const cells = await this.records.cells(days, query.admin ? 'all' : [query.tenant]);
    return {
      from: query.from,
      to: query.to,
      groupBy: query.groupBy,
      allTenants: query.admin,
      ...summarize(cells, query.groupBy),
    };
  }
}
