// Zod-free: the API, the worker and the tenants file share these rules.

const DAY_MS = 86_400_000;

/** How long a tenant's face data and job data live (days; decimals allowed, 0: erased at the next sweep). */
export interface RetentionPolicy {
  /** A job's output images, counted from the job's creation. */
  outputDays: number;
  /** A reference photo, counted from its last use (upload, or a job that used it). */
  referenceDays: number;
  /** A job's record: its event stream, its Redis record and its Temporal execution (the job is gone). */
  jobDays: number;
}

/** A tenant's own days where it has them (a tenants file), the defaults elsewhere. */
export type RetentionOverrides = { [K in keyof RetentionPolicy]?: number | undefined };

export function withOverrides(base: RetentionPolicy, over: RetentionOverrides | undefined): RetentionPolicy {
  return {
    outputDays: over?.outputDays ?? base.outputDays,
    referenceDays: over?.referenceDays ?? base.referenceDays,
    jobDays: over?.jobDays ?? base.jobDays,
  };
}

/** The longest retention a tenant can be given: a year (outputs live no longer than their job). */
export const MAX_RETENTION_DAYS = 365;

/** fal's `expires_in`: bounds of a job's own, shorter life for its outputs and references. */
export const EXPIRES_IN_LIMITS = { minMs: 60_000, maxMs: MAX_RETENTION_DAYS * DAY_MS } as const;

const DURATION = /^(\d+(?:\.\d+)?)(m|h|d)$/;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS };

export type ExpiresInResult = { ok: true; ms: number } | { ok: false; message: string };

/** `expiresIn`: a duration "30m", "12h" or "7d", at least 1 minute and at most 365 days. */
export function parseExpiresIn(value: unknown): ExpiresInResult {
  const text = typeof value === 'string' ? value.trim() : undefined;
  const match = text === undefined ? null : DURATION.exec(text);
  if (!match) {
    return {
      ok: false,
      message: `Invalid value for 'expiresIn': it must be a duration like "30m", "12h" or "7d".`,
    };
  }
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? 'd'] ?? DAY_MS);
  if (ms < EXPIRES_IN_LIMITS.minMs || ms > EXPIRES_IN_LIMITS.maxMs) {
    return {
      ok: false,
      message: `Invalid value for 'expiresIn': it must be at least 1 minute and at most ${MAX_RETENTION_DAYS} days.`,
    };
  }
  return { ok: true, ms: Math.round(ms) };
}

/** When each part of one job is due for erasure (unix ms). */
export interface JobDueTimes {
  outputsAt: number;
  /** Until when the job holds its reference photos (a use of each). */
  referencesUntil: number;
  jobAt: number;
}

/**
 * A job's due times from its tenant's policy at creation; `expiresInMs` only shortens the life of its
 * outputs and references (never lengthens it). The job record outlives neither: erasing the job erases
 * whatever of it is left.
 */
export function dueTimesOf(policy: RetentionPolicy, createdAtMs: number, expiresInMs?: number): JobDueTimes {
  const cap = (days: number) => Math.min(days * DAY_MS, expiresInMs ?? Number.POSITIVE_INFINITY);
  return {
    outputsAt: createdAtMs + cap(policy.outputDays),
    referencesUntil: createdAtMs + cap(policy.referenceDays),
    jobAt: createdAtMs + policy.jobDays * DAY_MS,
  };
}

/** A reference photo's hold from an upload or a use: its policy's days from now. */
export const referenceHoldUntil = (policy: RetentionPolicy, nowMs: number) =>
  nowMs + policy.referenceDays * DAY_MS;
