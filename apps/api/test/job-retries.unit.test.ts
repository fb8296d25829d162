import { createLogger } from '@photomaker/observability';
import { initialJobState, type JobStart, type JobState, type JobTask } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { RetryJob } from '../src/jobs/job-retries.ts';
import type { SubmitRequest } from '../src/jobs/submit-job.ts';

// retryJob with the admission queue: the retry waits with the original's priority; an original that
// never queued (no limit applied at its start) leaves it to the retrying key's default. The same for its
// reference check and likeness bar (issue #17).

const TASK = { model: 'runware:100@1', numberResults: 2, inputImages: [] } as unknown as JobTask;

function failedJob(priority?: 'HIGH' | 'LOW', start: Partial<JobStart> = {}): JobState {
  const state = initialJobState({
    jobId: 'job-1',
    tenant: 'acme',
    task: TASK,
    runwareTaskUUID: '5f0c1b8e-4a6d-4c1e-9a3b-1d2e3f4a5b6c',
    createdAt: '2026-12-06T20:00:00.000Z',
    webhookEvents: ['COMPLETED'],
    ...(priority ? { admission: { priority } } : {}),
    ...start,
  });
  return { ...state, status: 'FAILED', stage: 'failed' };
}

async function retried(
  original: JobState,
  defaultPriority?: 'NORMAL' | 'LOW',
  defaultReferenceCheck?: 'STRICT',
): Promise<SubmitRequest> {
  const sent: SubmitRequest[] = [];
  const retry = new RetryJob({
    reads: { get: async () => original },
    submit: {
      submit: async (request: SubmitRequest) => {
        sent.push(request);
        return { ok: true, state: { ...original, jobId: 'job-2' }, created: true, params: {} as never };
      },
    },
    retries: { add: async () => undefined },
  });
  const result = await retry.retry({
    tenant: 'acme',
    jobId: 'job-1',
    limits: {},
    logger: createLogger({ service: 'test', level: 'silent' }),
    ...(defaultPriority ? { defaultPriority } : {}),
    ...(defaultReferenceCheck ? { defaultReferenceCheck } : {}),
  });
  expect(result).toMatchObject({ ok: true, created: true });
  expect(sent).toHaveLength(1);
  return sent[0] as SubmitRequest;
}

describe('RetryJob and the admission queue', () => {
  it("queues the retry with the original's priority, its task and its webhook events", async () => {
    const request = await retried(failedJob('HIGH'), 'LOW');
    expect(request).toMatchObject({
      priority: 'HIGH',
      defaultPriority: 'LOW',
      webhookEvents: ['COMPLETED'],
      input: { retry: { jobId: 'job-1', task: TASK } },
    });
  });

  it("an original without a priority (it never queued): the retrying key's default", async () => {
    const request = await retried(failedJob(), 'LOW');
    expect(request.priority).toBeUndefined();
    expect(request.defaultPriority).toBe('LOW');
  });

  it('checks and scores the retry as the original was (its referenceCheck and minLikeness)', async () => {
    const request = await retried(
      failedJob(undefined, { referenceCheck: 'WARN', minLikeness: 0.6 }),
      'LOW',
      'STRICT',
    );
    expect(request).toMatchObject({
      referenceCheck: 'WARN',
      minLikeness: 0.6,
      defaultReferenceCheck: 'STRICT',
    });
  });

  it("an unchecked original: the retrying key's default reference check", async () => {
    const request = await retried(failedJob(), 'LOW', 'STRICT');
    expect(request.referenceCheck).toBeUndefined();
    expect(request.minLikeness).toBeUndefined();
    expect(request.defaultReferenceCheck).toBe('STRICT');
  });
});
