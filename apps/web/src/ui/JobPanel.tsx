import { useState } from 'react';
import { CancelJobMutation, type Job, type JobImage } from '../api/operations.ts';
import { timeline } from '../jobs/job-progress.ts';
import { useJobEvents } from '../jobs/use-job-events.ts';
import { useApp } from './api-context.ts';
import { ImageGrid } from './ImageGrid.tsx';
import { isFinished, JobDeadline, JobError, JobFacts, JobHead, totalImages } from './JobParts.tsx';
import { JobQueuePlace } from './JobQueuePlace.tsx';
import { Lightbox } from './Lightbox.tsx';
import { ReferenceCheck } from './ReferenceCheck.tsx';
import { RetryButton } from './RetryButton.tsx';
import { hrefFor, linkHandler } from './router.ts';
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
  const finished = isFinished(progress);
  const total = totalImages(progress);
  const href = hrefFor({ page: 'job', id: props.jobId });

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
      <JobHead
        progress={progress}
        live={live}
        actions={
          <>
            {!finished && (
              <button type="button" className="danger" onClick={() => void cancel()} disabled={cancelling}>
                {cancelling ? 'Cancelling…' : 'Cancel'}
              </button>
            )}
            {finished && <RetryButton jobId={props.jobId} status={progress.status} />}
            {props.compact && (
              <a className="ghost button" href={href} onClick={linkHandler(href)}>
                Job page
              </a>
            )}
          </>
        }
      />
      {cancelError && <p className="error-box">{cancelError}</p>}
      <Timeline steps={timeline(progress)} />
      <JobQueuePlace progress={progress} />
      <JobDeadline progress={progress} finished={finished} />
      {progress.error && <JobError error={progress.error} />}
      {job && <ReferenceCheck task={job.task} progress={progress} />}
      <ImageGrid
        images={progress.images}
        total={finished ? progress.images.length : total}
        jobId={props.jobId}
        onOpen={setOpen}
      />
      <JobFacts jobId={props.jobId} progress={progress} finished={finished} temporalUiUrl={temporalUiUrl} />
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
