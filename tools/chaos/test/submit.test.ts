import { describe, expect, it } from 'vitest';
import { planJob, REFUSED_MODEL } from '../src/faults.ts';
import { jobInput, retryable, submitBackoffMs } from '../src/submit.ts';

describe('chaos job submission', () => {
  it('retries only answers that mean the platform is down or busy', () => {
    expect(retryable(undefined, undefined)).toBe(true);
    expect(retryable(503, undefined)).toBe(true);
    expect(retryable(429, undefined)).toBe(true);
    expect(retryable(200, 'INTERNAL_SERVER_ERROR')).toBe(true);
    expect(retryable(200, 'RATE_LIMITED')).toBe(true);
    expect(retryable(200, 'BAD_USER_INPUT')).toBe(false);
    expect(retryable(400, undefined)).toBe(false);
  });
  it('backs off exponentially up to two seconds', () => {
    expect([0, 1, 2, 5, 9].map(submitBackoffMs)).toEqual([100, 200, 400, 2_000, 2_000]);
  });
  it('puts the webhook and the refused model into the input only when the plan asks', () => {
    const plans = Array.from({ length: 40 }, (_, i) => planJob(i));
    for (const plan of plans) {
      const input = jobInput(plan, 'ref-1', 'http://hook');
      expect(input.numberResults).toBe(plan.numberResults);
      expect('webhookURL' in input).toBe(plan.webhook);
      expect((input as { model?: string }).model === REFUSED_MODEL).toBe(plan.shouldFail);
    }
  });
});
