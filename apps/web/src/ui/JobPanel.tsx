import { STYLE_ENUM } from '@photomaker/schema';
import { useState } from 'react';
import { CancelJobMutation, type Job, type JobImage } from '../api/operations.ts';
import { TERMINAL_STAGES, timeline } from '../jobs/job-progress.ts';
import { useJobEvents } from '../jobs/use-job-events.ts';
import { formatCost, formatDuration, formatTime, plural, timeBetween } from '../lib/format.ts';
import { useApp } from './api-context.ts';
import { ImageGrid } from './ImageGrid.tsx';
import { Lightbox } from './Lightbox.tsx';
import { hrefFor, linkHandler } from './router.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { TaskDetails } from './TaskDetails.tsx';
import { Timeline } from './Timeline.tsx';

/** One job, live: stage timeline, images as they finish, cost, errors, cancel. */
export function JobPanel(props: { jobId: string; initialJob?: Job; compact?: boolean }) {
  const { api, temporalUiUrl } = useApp();
  const { progress, live, error } = useJobEvents(api, props.jobId, props.initialJob);
  const [open, setOpen] = useState<JobImage>();
  const [cancelling, setCancelling] = useState(false);
  const [cancelError, setCancelError] = useState<string>();
  const job = progress.job;
  const finished = progress.stage !== undefined && TERMINAL_STAGES.has(progress.stage);
  const total = progress.total || job?.task.numberResults || 0;
  const href = hrefFor({ page: 'job', id: props.jobId });
  // A job stopped part-way (cancelled, failed) has no total: what its finished images cost.
  const imageCosts = progress.images.map((i) => i.cost).filter((c): c is number => typeof c === 'number');
  const cost = progress.cost ?? (imageCosts.length > 0 ? imageCosts.reduce((a, b) => a + b, 0) : null);

  const cancel = async () => {
    setCancelling(true);
    setCancelError(undefined);
    try {
      await api.request(CancelJobMutation, { id: props.jobId });
    } catch (e) {
      setCancelError((e as Error).message);
    } finally {
      setCancelling(false);
    }
  };

  if (!job && error) {
    return (
      <div className="card job-panel">
        <p className="error-box">
          {error.code === 'NOT_FOUND' ? 'No such job for this API key.' : error.message}
        </p>
      </div>
    );
  }

  return (
    <article className="card job-panel" data-job-id={props.jobId} data-status={progress.status ?? 'QUEUED'}>
      <header className="job-head">
        <div>
          <div className="job-title">
            <StatusBadge status={progress.status ?? 'QUEUED'} />
            <span className="live-state" data-live={live}>
              {live === 'live' && '● live'}
              {live === 'connecting' && 'connecting…'}
              {live === 'reconnecting' && 'reconnecting…'}
            </span>
          </div>
          <p className="job-prompt">{job?.task.positivePrompt ?? '…'}</p>
          <p className="muted small">
            {job
              ? `${STYLE_ENUM[job.task.style]} · strength ${job.task.strength} · ${job.task.width}×${job.task.height}`
              : ''}
            {job ? ` · ${plural(total, 'image')} · created ${formatTime(job.createdAt)}` : ''}
          </p>
        </div>
        <div className="job-actions">
          {!finished && (
            <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          )}
          {props.compact && (
            <a className="ghost button" href={href} onClick={linkHandler(href)}>
              Job page
            </a>
          )}
        </div>
      </header>
      {cancelError && <p className="error-box">{cancelError}</p>}
      <Timeline steps={timeline(progress)} />
      {progress.error && (
        <div className="error-box" role="alert" data-error-code={progress.error.code}>
          <strong>{progress.error.parameter ? `${progress.error.parameter}: ` : ''}</strong>
          {progress.error.message}
          <span className="muted small">
            {' '}
            ({progress.error.code}
            {progress.error.retryable ? ', retryable' : ''})
          </span>
        </div>
      )}
      <ImageGrid
        images={progress.images}
        total={finished ? progress.images.length : total}
        jobId={props.jobId}
        onOpen={setOpen}
      />
      <dl className="job-facts">
        <div>
          <dt>Cost</dt>
          <dd data-testid="job-cost">{job?.task.includeCost === false ? 'not asked' : formatCost(cost)}</dd>
        </div>
        <div>
          <dt>Seed</dt>
          <dd>{progress.images[0]?.seed ?? job?.task.seed ?? '–'}</dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>
            {formatDuration(
              job?.timings.totalMs ??
                (finished && progress.stage
                  ? timeBetween(job?.createdAt, job?.finishedAt ?? progress.seenAt[progress.stage])
                  : undefined),
            )}
          </dd>
        </div>
        <div>
          <dt>Job</dt>
          <dd className="mono">
            {temporalUiUrl ? (
              <a
                href={`${temporalUiUrl}/namespaces/default/workflows/photomaker-${encodeURIComponent(props.jobId)}`}
                target="_blank"
                rel="noreferrer"
                title="Open the workflow in the Temporal UI"
              >
                {props.jobId.slice(0, 13)}… ↗
              </a>
            ) : (
              props.jobId
            )}
          </dd>
        </div>
      </dl>
      {!props.compact && job && <TaskDetails task={job.task} />}
      {open && (
        <Lightbox
          image={open}
          jobId={props.jobId}
          images={progress.images}
          onClose={() => setOpen(undefined)}
          onOpen={setOpen}
        />
      )}
    </article>
  );
}
