import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Job } from '../src/api/operations.ts';
import { EMPTY_PROGRESS, type JobProgress } from '../src/jobs/job-progress.ts';
import { formatTime } from '../src/lib/format.ts';
import { JobDeadline } from '../src/ui/JobParts.tsx';

// JobDeadline reads only the status, the cancel reason and the job's cancelAt/finishedAt.
const progress = (patch: Partial<JobProgress>, job: Partial<Job> = {}): JobProgress => ({
  ...EMPTY_PROGRESS,
  job: { cancelAt: null, finishedAt: null, ...job } as Job,
  ...patch,
});
const render = (p: JobProgress, finished: boolean) =>
  renderToStaticMarkup(createElement(JobDeadline, { progress: p, finished }));

describe('JobDeadline', () => {
  it('a running job with a deadline says when it cancels', () => {
    const cancelAt = '2026-11-24T10:10:00.000Z';
    const html = render(progress({ status: 'RUNNING', stage: 'SUBMITTED' }, { cancelAt }), false);
    expect(html).toContain('data-testid="job-deadline"');
    expect(html).toContain(`cancels at ${formatTime(cancelAt)}`);
  });

  it('shows nothing for a job without a deadline, or one that succeeded', () => {
    expect(render(progress({ status: 'RUNNING', stage: 'SUBMITTED' }), false)).toBe('');
    const done = progress(
      { status: 'SUCCEEDED', stage: 'SUCCEEDED' },
      { cancelAt: '2026-11-24T10:10:00.000Z' },
    );
    expect(render(done, true)).toBe('');
  });

  it('a cancelled job shows the reason its cancel event gave', () => {
    const html = render(
      progress({ status: 'CANCELLED', stage: 'CANCELLED', cancelReason: 'by the user' }),
      true,
    );
    expect(html).toContain('Cancelled: by the user');
  });

  it('without the event (a later page load), a job that ended past its deadline says the deadline passed', () => {
    const ended = progress(
      { status: 'CANCELLED', stage: 'CANCELLED' },
      { cancelAt: '2026-11-24T10:00:02.000Z', finishedAt: '2026-11-24T10:00:03.000Z' },
    );
    expect(render(ended, true)).toContain('Cancelled: cancelAfter deadline passed');
    const early = progress(
      { status: 'CANCELLED', stage: 'CANCELLED' },
      { cancelAt: '2026-11-24T10:10:00.000Z', finishedAt: '2026-11-24T10:00:03.000Z' },
    );
    expect(render(early, true)).toContain('Cancelled</p>');
  });
});
