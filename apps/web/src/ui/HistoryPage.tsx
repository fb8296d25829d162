import { STYLE_ENUM } from '@photomaker/schema';
import { useEffect, useState } from 'react';
import { type Job, type JobStatus, JobsQuery } from '../api/operations.ts';
import { TERMINAL_STAGES } from '../jobs/job-progress.ts';
import { formatCost, formatTime, plural } from '../lib/format.ts';
import { useApp } from './api-context.ts';
import { DeleteJobButton } from './DeleteJobButton.tsx';
import { hrefFor, linkHandler } from './router.ts';
import { StatusBadge } from './StatusBadge.tsx';

const DEFAULT_PAGE_SIZE = 10;

/** `?per=25` picks the page size (1-100), so a longer list is one link away. */
function pageSize(): number {
  const per = Number(new URLSearchParams(window.location.search).get('per'));
  return Number.isInteger(per) && per >= 1 && per <= 100 ? per : DEFAULT_PAGE_SIZE;
}
const FILTERS: (JobStatus | undefined)[] = [
  undefined,
  'RUNNING',
  'QUEUED',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
];

/** Your jobs, newest first, a page at a time (cursor pagination over Temporal visibility). */
export function HistoryPage() {
  const { api } = useApp();
  const [status, setStatus] = useState<JobStatus>();
  // Cursors of the pages seen so far: [undefined (first page), cursor of page 2, ...].
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ nodes: Job[]; next?: string | undefined }>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const [first] = useState(pageSize);
  const after = cursors[cursors.length - 1];

  useEffect(() => {
    void tick;
    const controller = new AbortController();
    api
      .request(
        JobsQuery,
        { first, ...(after ? { after } : {}), ...(status ? { status } : {}) },
        controller.signal,
      )
      .then(({ jobs }) => {
        setPage({
          nodes: jobs.nodes,
          next: jobs.pageInfo.hasNextPage ? (jobs.pageInfo.endCursor ?? undefined) : undefined,
        });
        setError(undefined);
      })
      .catch((e: Error) => {
        if (e.name !== 'AbortError') setError(e.message);
      });
    return () => controller.abort();
  }, [api, after, status, tick, first]);

  // Jobs still running on this page: refresh every few seconds until they finish.
  const running = page?.nodes.some((job) => !TERMINAL_STAGES.has(job.stage)) ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => setTick((t) => t + 1), 3000);
    return () => clearInterval(timer);
  }, [running]);

  return (
    <div className="history">
      <div className="page-head">
        <h1>History</h1>
        <fieldset className="filters" aria-label="Filter by status">
          {FILTERS.map((s) => (
            <button
              key={s ?? 'all'}
              type="button"
              className={`chip${status === s ? ' selected' : ''}`}
              onClick={() => {
                setStatus(s);
                setCursors([undefined]);
              }}
            >
              {s ? s.toLowerCase() : 'all'}
            </button>
          ))}
        </fieldset>
      </div>
      {error && <p className="error-box">{error}</p>}
      {page && page.nodes.length === 0 && (
        <p className="muted empty">No jobs{status ? ` with status ${status.toLowerCase()}` : ' yet'}.</p>
      )}
      <ul className="job-list">
        {page?.nodes.map((job) => {
          const href = hrefFor({ page: 'job', id: job.id });
          return (
            <li key={job.id}>
              <a className="job-row card" href={href} onClick={linkHandler(href)} data-job-id={job.id}>
                <div className="thumbs">
                  {job.images.slice(0, 3).map((image) => (
                    <img className="thumb" key={image.index} src={image.url} alt="" loading="lazy" />
                  ))}
                  {job.images.length === 0 && <span className="thumb-blank" />}
                </div>
                <div className="job-row-main">
                  <p className="job-prompt">{job.task.positivePrompt}</p>
                  <p className="muted small">
                    {STYLE_ENUM[job.task.style]} · {plural(job.task.numberResults, 'image')} ·{' '}
                    {job.task.width}×{job.task.height}
                    {job.error
                      ? ` · ${job.error.parameter ? `${job.error.parameter}: ` : ''}${job.error.code}`
                      : ''}
                  </p>
                </div>
                <div className="job-row-side">
                  <StatusBadge status={job.status} />
                  <span className="muted small">{formatTime(job.createdAt)}</span>
                  <span className="muted small">
                    {job.cost !== null && job.cost !== undefined ? formatCost(job.cost) : ''}
                  </span>
                </div>
              </a>
              <DeleteJobButton jobId={job.id} onDeleted={() => setTick((t) => t + 1)} />
            </li>
          );
        })}
      </ul>
      <div className="pager">
        <button
          type="button"
          className="ghost"
          disabled={cursors.length <= 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          ← Newer
        </button>
        <span className="muted small">Page {cursors.length}</span>
        <button
          type="button"
          className="ghost"
          disabled={!page?.next}
          onClick={() => page?.next && setCursors((c) => [...c, page.next])}
        >
          Older →
        </button>
      </div>
    </div>
  );
}
