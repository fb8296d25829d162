import { describe, expect, it } from 'vitest';
import { admissionWeight, DEFAULT_TASKS_IN_FLIGHT_PER_JOB } from '../src/index.ts';

// A job's weight in the admission queue is what it holds toward the global in-flight budget: one Runware
// task per image, at most the per-job window (the worker caps its window at the weight).

describe('admissionWeight', () => {
  it('is one per image up to the per-job window', () => {
    expect(DEFAULT_TASKS_IN_FLIGHT_PER_JOB).toBe(4);
    expect([1, 2, 3, 4, 5, 10, 20].map((n) => admissionWeight(n))).toEqual([1, 2, 3, 4, 4, 4, 4]);
  });

  it('follows a window other than the default', () => {
    expect(admissionWeight(10, 1)).toBe(1);
    expect(admissionWeight(3, 8)).toBe(3);
    expect(admissionWeight(10, 8)).toBe(8);
  });

  it('is at least 1, whatever it is given', () => {
    expect(admissionWeight(0)).toBe(1);
    expect(admissionWeight(Number.NaN)).toBe(1);
    expect(admissionWeight(2.5)).toBe(1);
    expect(admissionWeight(3, 0)).toBe(1);
  });
});
