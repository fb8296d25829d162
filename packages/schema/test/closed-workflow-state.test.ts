import { describe, expect, it } from 'vitest';
import type { JobStart, JobState } from '../src/index.ts';
import {
  applyJobEvent,
  closedWorkflowState,
  initialJobState,
  jobTaskSchema,
  normalizeJobId,
} from '../src/index.ts';

const start: JobStart = {
  jobId: 'job-1',
  tenant: 't',
  task: jobTaskSchema.parse({
    inputImages: [{ kind: 'blob', blob: { sha256: 'a'.repeat(64), mediaType: 'image/png', size: 10 } }],
    positivePrompt: 'rwre, portrait',
    model: 'civitai:139562@344487',
    width: 128,
    height: 128,
  }),
  runwareTaskUUID: '3f0c6a52-1d7e-4d1e-9b1a-2a4b5c6d7e8f',
  createdAt: '2026-11-24T10:00:00.000Z',
};
const closedAt = '2026-11-24T10:05:00.000Z';
const running: JobState = applyJobEvent(initialJobState(start), {
  jobId: 'job-1',
  seq: 1,
  at: '2026-11-24T10:00:01.000Z',
  stage: 'submitted',
  data: { runwareTaskUUID: start.runwareTaskUUID, numberResults: 1 },
});

describe('closedWorkflowState: how a closed workflow ends a job that wrote no terminal event', () => {
  it.each([
    ['TERMINATED', 'internalServerError', 'The job was terminated by an operator.'],
    ['TIMED_OUT', 'timeout', 'The job exceeded its time limit.'],
    ['FAILED', 'internalServerError', 'The job failed unexpectedly.'],
  ])('%s -> FAILED with code %s', (status, code, message) => {
    const state = closedWorkflowState(running, status, closedAt);
    expect(state).toMatchObject({ status: 'FAILED', stage: 'failed', finishedAt: closedAt, seq: 1 });
    expect(state.error).toEqual({ code, message, retryable: false });
  });

  it('CANCELLED -> CANCELLED, no error', () => {
    const state = closedWorkflowState(running, 'CANCELLED', closedAt);
    expect(state).toMatchObject({
      status: 'CANCELLED',
      stage: 'cancelled',
      finishedAt: closedAt,
      error: null,
    });
  });

  it('keeps a state its events already ended, and leaves COMPLETED and RUNNING alone', () => {
    const failed: JobState = {
      ...running,
      status: 'FAILED',
      stage: 'failed',
      finishedAt: '2026-11-24T10:01:00.000Z',
      error: { code: 'taskFailed', message: 'no', retryable: true },
    };
    expect(closedWorkflowState(failed, 'TERMINATED', closedAt)).toBe(failed);
    expect(closedWorkflowState(running, 'COMPLETED', closedAt)).toBe(running);
    expect(closedWorkflowState(running, 'RUNNING', closedAt)).toBe(running);
  });

  it('keeps the earlier finishedAt and error of a job that failed but was then terminated', () => {
    const withError: JobState = { ...running, finishedAt: '2026-11-24T10:02:00.000Z' };
    expect(closedWorkflowState(withError, 'TERMINATED', closedAt).finishedAt).toBe(
      '2026-11-24T10:02:00.000Z',
    );
  });
});

describe('normalizeJobId', () => {
  it('accepts any UUID version (v4 random, v5 derived) and lower-cases it', () => {
    expect(normalizeJobId('3F0C6A52-1D7E-4D1E-9B1A-2A4B5C6D7E8F')).toBe(
      '3f0c6a52-1d7e-4d1e-9b1a-2a4b5c6d7e8f',
    );
    expect(normalizeJobId('9b2f1c3e-7a4d-5e6f-8a9b-0c1d2e3f4a5b')).toBe(
      '9b2f1c3e-7a4d-5e6f-8a9b-0c1d2e3f4a5b',
    );
  });
  it('refuses anything else', () => {
    for (const bad of [
      '',
      'job-1',
      '3f0c6a52-1d7e-4d1e-9b1a-2a4b5c6d7e8',
      ' 3f0c6a52-1d7e-4d1e-9b1a-2a4b5c6d7e8f',
    ])
      expect(normalizeJobId(bad)).toBeUndefined();
  });
});
