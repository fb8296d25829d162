import { describe, expect, it } from 'vitest';
import { dueTimesOf, parseExpiresIn, withOverrides } from '../src/policy.ts';

const DAY = 86_400_000;
const policy = { outputDays: 30, referenceDays: 10, jobDays: 60 };

describe('retention policy', () => {
  it('parses expiresIn durations and refuses anything else, naming the field and the rule', () => {
    expect(parseExpiresIn('30m')).toEqual({ ok: true, ms: 30 * 60_000 });
    expect(parseExpiresIn('1.5h')).toEqual({ ok: true, ms: 90 * 60_000 });
    expect(parseExpiresIn(' 7d ')).toEqual({ ok: true, ms: 7 * DAY });
    for (const bad of ['7', '3w', '', 'PT1H', 42, null]) {
      const result = parseExpiresIn(bad);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/^Invalid value for 'expiresIn': it must be a duration/);
    }
    for (const outOfBounds of ['0.5m', '0m', '366d']) {
      const result = parseExpiresIn(outOfBounds);
      expect(result).toEqual({
        ok: false,
        message: "Invalid value for 'expiresIn': it must be at least 1 minute and at most 365 days.",
      });
    }
  });

  it('expiresIn shortens outputs and references, never lengthens them, and leaves the job record alone', () => {
    const created = Date.UTC(2026, 0, 1);
    expect(dueTimesOf(policy, created)).toEqual({
      outputsAt: created + 30 * DAY,
      referencesUntil: created + 10 * DAY,
      jobAt: created + 60 * DAY,
    });
    expect(dueTimesOf(policy, created, DAY)).toEqual({
      outputsAt: created + DAY,
      referencesUntil: created + DAY,
      jobAt: created + 60 * DAY,
    });
    expect(dueTimesOf(policy, created, 100 * DAY).outputsAt).toBe(created + 30 * DAY);
  });

  it("a tenant's own days win where it has them", () => {
    expect(withOverrides(policy, { referenceDays: 0, outputDays: undefined })).toEqual({
      outputDays: 30,
      referenceDays: 0,
      jobDays: 60,
    });
    expect(withOverrides(policy, undefined)).toEqual(policy);
  });
});
