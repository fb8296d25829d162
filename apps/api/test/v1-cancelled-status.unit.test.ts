import type { JobState } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { jobError } from '../src/gateway/v1/results.ts';
import { batchStatus } from '../src/gateway/v1/routes.ts';

// jobError reads only the status and the error of the state.
function ended(status: JobState['status']): JobState {
  return { status, error: null } as unknown as JobState;
}

describe('/v1 status of a sync task whose job ended', () => {
  it('a cancelled job answers taskCancelled with 409: final, and not a 5xx an SDK would retry', () => {
    const error = jobError(ended('CANCELLED'), 'task-1', 'error');
    expect(error).toMatchObject({ code: 'taskCancelled', taskType: 'photoMaker', taskUUID: 'task-1' });
    expect(batchStatus([], [error])).toBe(409);
  });

  it('a failed job still answers a retryable 503', () => {
    expect(batchStatus([], [jobError(ended('FAILED'), 'task-2')])).toBe(503);
  });

  it('any task with data makes the batch 200, even next to a cancelled one', () => {
    expect(batchStatus([{ taskUUID: 'task-3' }], [jobError(ended('CANCELLED'), 'task-1')])).toBe(200);
  });
});
