import { decimal, duration, integer } from '@photomaker/env';
import { z } from 'zod';
import { MAX_RETENTION_DAYS, type RetentionPolicy } from './policy.ts';

export type { RetentionPolicy };

const days = (what: string) =>
  decimal(0)
    .pipe(z.number().max(MAX_RETENTION_DAYS, { error: `must be at most ${MAX_RETENTION_DAYS}` }))
    .prefault('30')
    .describe(`Days ${what} (0: next sweep)`);

/** The default retention of every tenant (the API applies it when a job or photo is stored). */
export const retentionPolicyEnv = z.object({
  PHOTOMAKER_RETENTION_OUTPUT_DAYS: days("to keep a job's output images"),
  PHOTOMAKER_RETENTION_REFERENCE_DAYS: days('to keep a reference photo after its last use'),
  PHOTOMAKER_RETENTION_JOB_DAYS: days("to keep a job's record and Temporal history"),
});

/** How the worker enforces it: the Temporal Schedule's interval and the work of one run. */
export const retentionSweepEnv = z.object({
  PHOTOMAKER_RETENTION_SWEEP_EVERY: duration
    .pipe(z.number().min(60_000, { error: 'must be at least 1m' }))
    .prefault('1h')
    .describe('How often the retention schedule sweeps (at least 1m)'),
  PHOTOMAKER_RETENTION_SWEEP_LIMIT: integer(1, 100_000)
    .prefault('5000')
    .describe('Most jobs and photos one retention sweep erases'),
});

export function retentionPolicyFrom(env: z.output<typeof retentionPolicyEnv>): RetentionPolicy {
  return {
    outputDays: env.PHOTOMAKER_RETENTION_OUTPUT_DAYS,
    referenceDays: env.PHOTOMAKER_RETENTION_REFERENCE_DAYS,
    jobDays: env.PHOTOMAKER_RETENTION_JOB_DAYS,
  };
}
