import { useEffect, useState } from 'react';
import { UsageQuery, type UsageReport, type UsageTotals } from '../api/usage-operations.ts';
import { formatCost } from '../lib/format.ts';
import { useApp } from './api-context.ts';

const PERIODS = [7, 30, 90] as const;
const DAY_MS = 86_400_000;

/** The last `days` UTC days, today included: [from, to) at UTC midnights, and each day's date. */
export function usagePeriod(days: number, now = Date.now()) {
  const tomorrow = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  const from = tomorrow - days * DAY_MS;
  const list = Array.from({ length: days }, (_, i) => new Date(from + i * DAY_MS).toISOString().slice(0, 10));
  return { from: new Date(from).toISOString(), to: new Date(tomorrow).toISOString(), days: list };
}

interface Loaded {
  byDay: UsageReport;
  byModel: UsageReport;
}

/** Usage recorded as jobs finished: totals, a bar per day, a table per model (and per tenant for an admin). */
export function UsagePage() {
  const { api } = useApp();
  const [days, setDays] = useState<number>(30);
  const [loaded, setLoaded] = useState<Loaded>();
  const [error, setError] = useState<string>();
  const period = usagePeriod(days);

  useEffect(() => {
    const controller = new AbortController();
    const { from, to } = usagePeriod(days);
    setError(undefined);
    Promise.all([
      api.request(UsageQuery, { from, to, groupBy: 'DAY' }, controller.signal),
      api.request(UsageQuery, { from, to, groupBy: 'MODEL' }, controller.signal),
    ])
      .then(([day, model]) => setLoaded({ byDay: day.usage, byModel: model.usage }))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError((e as Error).message);
      });
    return () => controller.abort();
  }, [api, days]);

  return (
    <section className="usage-page">
      <div className="page-head">
        <h1>Usage</h1>
        <fieldset className="filters" aria-label="Period">
          {PERIODS.map((n) => (
            <button
              key={n}
              type="button"
              className={`chip${days === n ? ' selected' : ''}`}
              onClick={() => setDays(n)}
            >
              {n} days
            </button>
          ))}
        </fieldset>
      </div>
      {error && <p className="error-box">{error}</p>}
      {!loaded && !error && <p className="muted loading">Loading usage…</p>}
      {loaded && (
        <>
          {loaded.byDay.allTenants && (
            <p className="muted" data-testid="usage-scope">
              Admin key: every tenant.
            </p>
          )}
          <Totals totals={loaded.byDay.total} />
          <DayChart report={loaded.byDay} days={period.days} />
          <UsageTable title="Per model" first="Model" rows={loaded.byModel.rows} testId="usage-models" />
          {loaded.byDay.allTenants && (
            <UsageTable
              title="Per tenant"
              first="Tenant"
              rows={loaded.byDay.tenants.map((entry) => ({
                tenant: entry.tenant,
                key: entry.tenant,
                totals: entry.total,
              }))}
              testId="usage-tenants"
            />
          )}
        </>
      )}
    </section>
  );
}

function Totals({ totals }: { totals: UsageTotals }) {
  const facts: [string, string][] = [
    ['Jobs', String(totals.jobs.total)],
    ['Succeeded', String(totals.jobs.succeeded)],
    ['Failed', String(totals.jobs.failed)],
    ['Cancelled / timed out', `${totals.jobs.cancelled} / ${totals.jobs.timedOut}`],
    ['Images', String(totals.images)],
    ['Runware cost', formatCost(totals.costUsd)],
  ];
  return (
    <dl className="card usage-totals" data-testid="usage-totals">
      {facts.map(([label, value]) => (
        <div key={label}>
          <dt className="muted">{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
      {totals.imagesWithoutCost > 0 && (
        <p className="muted">{totals.imagesWithoutCost} images had no cost reported (not in the cost).</p>
      )}
    </dl>
  );
}

/** Images per day as plain SVG bars (every tenant's rows summed per day for an admin). */
function DayChart({ report, days }: { report: UsageReport; days: string[] }) {
  const perDay = new Map<string, { images: number; cost: number; jobs: number }>();
  for (const row of report.rows) {
    const day = perDay.get(row.key) ?? { images: 0, cost: 0, jobs: 0 };
    day.images += row.totals.images;
    day.cost += row.totals.costUsd;
    day.jobs += row.totals.jobs.total;
    perDay.set(row.key, day);
  }
  const max = Math.max(1, ...[...perDay.values()].map((day) => day.images));
  const width = 100 / days.length;
  return (
    <figure className="card usage-chart">
      <figcaption className="muted">Images per day (UTC)</figcaption>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" role="img" aria-label="Images per day">
        {days.map((day, i) => {
          const value = perDay.get(day);
          const height = ((value?.images ?? 0) / max) * 38;
          return (
            <rect
              key={day}
              data-day={day}
              data-images={value?.images ?? 0}
              x={i * width + width * 0.1}
              y={40 - height}
              width={width * 0.8}
              height={height}
            >
              <title>{`${day}: ${value?.images ?? 0} images, ${value?.jobs ?? 0} jobs, ${formatCost(value?.cost ?? 0)}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="usage-axis muted">
        <span>{days[0]}</span>
        <span>{days.at(-1)}</span>
      </div>
    </figure>
  );
}

function UsageTable(props: { title: string; first: string; rows: UsageReport['rows']; testId: string }) {
  return (
    <section className="card usage-table">
      <h2>{props.title}</h2>
      {props.rows.length === 0 ? (
        <p className="muted">No finished jobs in this period.</p>
      ) : (
        <table data-testid={props.testId}>
          <thead>
            <tr>
              <th>{props.first}</th>
              <th>Jobs</th>
              <th>Succeeded</th>
              <th>Failed</th>
              <th>Images</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => (
              <tr key={`${row.tenant}/${row.key}`}>
                <td>{row.key || '(unknown)'}</td>
                <td>{row.totals.jobs.total}</td>
                <td>{row.totals.jobs.succeeded}</td>
                <td>{row.totals.jobs.failed}</td>
                <td>{row.totals.images}</td>
                <td>{formatCost(row.totals.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
