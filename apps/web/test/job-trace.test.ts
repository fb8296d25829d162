import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Job } from '../src/api/operations.ts';
import { EMPTY_PROGRESS } from '../src/jobs/job-progress.ts';
import { JobFacts } from '../src/ui/JobParts.tsx';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const AT = '2026-11-24T10:00:00.000Z';
const job = (traceId: string | null) =>
  ({ traceId, task: { includeCost: false }, timings: {}, createdAt: AT, finishedAt: AT }) as unknown as Job;
const render = (traceId: string | null) =>
  renderToStaticMarkup(
    createElement(JobFacts, {
      jobId: 'job-1',
      progress: { ...EMPTY_PROGRESS, job: job(traceId) },
      finished: true,
      temporalUiUrl: undefined,
    }),
  );

describe('the job detail’s trace id', () => {
  it('shows the whole id with a copy button when the API traced the job', () => {
    const html = render(TRACE);
    expect(html).toContain(`<code data-testid="job-trace-id">${TRACE}</code>`);
    expect(html).toContain('Copy</button>');
  });

  it('shows nothing when the job has no trace (tracing off)', () => {
    expect(render(null)).not.toContain('job-trace');
  });
});
