import { DEADLINE_REASON, STYLE_ENUM } from '@photomaker/schema';
import type { ReactNode } from 'react';
import type { Job } from '../api/operations.ts';
import { type JobProgress, TERMINAL_STAGES } from '../jobs/job-progress.ts';
import type { LiveState } from '../jobs/use-job-events.ts';
import { formatCost, formatDuration, formatTime, plural, timeBetween } from '../lib/format.ts';
import { StatusBadge } from './StatusBadge.tsx';
import { TraceId } from './TraceId.tsx';

export const isFinished = (progress: JobProgress) =>
  progress.stage !== undefined && TERMINAL_STAGES.has(progress.stage);

/** Images the job makes: from its events, else from its task. */
export const totalImages = (progress: JobProgress) => progress.total || progress.job?.task.numberResults || 0;

/** The job's cost; a job stopped part-way (cancelled, failed) has no total: what its finished images cost. */
function jobCost(progress: JobProgress): number | null {
  if (progress.cost !== null) return progress.cost;
  const imageCosts = progress.images.map((i) => i.cost).filter((c): c is number => typeof c === 'number');
  return imageCosts.length > 0 ? imageCosts.reduce((a, b) => a + b, 0) : null;
}

/** How long the job took: the server's total, else from creation to when it was seen finishing. */
function jobTookMs(progress: JobProgress, finished: boolean): number | undefined {
  const job = progress.job;
  if (job?.timings.totalMs != null) return job.timings.totalMs;
  if (!finished || !progress.stage) return undefined;
  return timeBetween(job?.createdAt, job?.finishedAt ?? progress.seenAt[progress.stage]);
}

const LIVE_LABELS: Partial<Record<LiveState, string>> = {
  live: '● live',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
};

const taskLine = (job: Job) =>
  `${STYLE_ENUM[job.task.style]} · strength ${job.task.strength} · ${job.task.width}×${job.task.height}`;

/** Status, live state, prompt and task summary, with the job's actions beside them. */
export function JobHead(props: { progress: JobProgress; live: LiveState; actions: ReactNode }) {
  const { progress, live } = props;
  const job = progress.job;
  return (
    <header className="job-head">
      <div>
        <div className="job-title">
          <StatusBadge status={progress.status ?? 'QUEUED'} />
          <span className="live-state" data-live={live}>
            {LIVE_LABELS[live]}
          </span>
        </div>
        <p className="job-prompt">{job?.task.positivePrompt ?? '…'}</p>
        <p className="muted small">
          {job ? taskLine(job) : ''}
          {job ? ` · ${plural(totalImages(progress), 'image')} · created ${formatTime(job.createdAt)}` : ''}
        </p>
      </div>
      <div className="job-actions">{props.actions}</div>
    </header>
  );
}

/** A cancelled job's reason when the cancel event said one; past its deadline, that deadline passed. */
function cancelledWhy(progress: JobProgress): string | undefined {
  if (progress.cancelReason) return progress.cancelReason;
  const { cancelAt, finishedAt } = progress.job ?? {};
  // A snapshot taken after the end carries no reason: a job that ended at or past its deadline hit it.
  if (!cancelAt || !finishedAt) return undefined;
  return Date.parse(finishedAt) >= Date.parse(cancelAt) ? DEADLINE_REASON : undefined;
}

/** A cancelled job: why. An unfinished job with a deadline: when it cancels. Else nothing. */
export function JobDeadline({ progress, finished }: { progress: JobProgress; finished: boolean }) {
  if (progress.status === 'CANCELLED') {
    const why = cancelledWhy(progress);
    return (
      <p className="muted small" data-testid="job-cancelled">
        Cancelled{why ? `: ${why}` : ''}
      </p>
    );
  }
  const cancelAt = progress.job?.cancelAt;
  if (finished || !cancelAt) return null;
  return (
    <p className="muted small" data-testid="job-deadline">
      cancels at {formatTime(cancelAt)}
    </p>
  );
}

/** Why the job failed, naming the parameter when there is one. */
export function JobError({ error }: { error: NonNullable<JobProgress['error']> }) {
  return (
    <div className="error-box" role="alert" data-error-code={error.code}>
      <strong>{error.parameter ? `${error.parameter}: ` : ''}</strong>
      {error.message}
      <span className="muted small">
        {' '}
        ({error.code}
        {error.retryable ? ', retryable' : ''})
      </span>
    </div>
  );
}

function JobLink({ jobId, temporalUiUrl }: { jobId: string; temporalUiUrl: string | undefined }) {
  if (!temporalUiUrl) return <>{jobId}</>;
  return (
    <a
      href={`${temporalUiUrl}/namespaces/default/workflows/photomaker-${encodeURIComponent(jobId)}`}
      target="_blank"
      rel="noreferrer"
      title="Open the workflow in the Temporal UI"
    >
      {jobId.slice(0, 13)}… ↗
    </a>
  );
}

/** Cost, seed, duration, the job's id (a link into the Temporal UI when there is one) and its trace id. */
export function JobFacts(props: {
  jobId: string;
  progress: JobProgress;
  finished: boolean;
  temporalUiUrl: string | undefined;
}) {
  const { progress } = props;
  const job = progress.job;
  return (
    <>
      <dl className="job-facts">
        <div>
          <dt>Cost</dt>
          <dd data-testid="job-cost">
            {job?.task.includeCost === false ? 'not asked' : formatCost(jobCost(progress))}
          </dd>
        </div>
        <div>
          <dt>Seed</dt>
          <dd>{progress.images[0]?.seed ?? job?.task.seed ?? '–'}</dd>
        </div>
        <div>
          <dt>Took</dt>
          <dd>{formatDuration(jobTookMs(progress, props.finished))}</dd>
        </div>
        <div>
          <dt>Job</dt>
          <dd className="mono">
            <JobLink jobId={props.jobId} temporalUiUrl={props.temporalUiUrl} />
          </dd>
        </div>
      </dl>
      {job?.traceId && <TraceId traceId={job.traceId} />}
    </>
  );
}
