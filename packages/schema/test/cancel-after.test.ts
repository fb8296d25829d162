import { describe, expect, it } from 'vitest';
import { resolveCancelAfter } from '../src/job/cancel-after.ts';

const NOW = Date.parse('2026-12-06T04:00:00.000Z');

describe('resolveCancelAfter', () => {
  it.each([
    ['90s', '2026-12-06T04:01:30.000Z'],
    ['10m', '2026-12-06T04:10:00.000Z'],
    ['1.5h', '2026-12-06T05:30:00.000Z'],
    ['1500ms', '2026-12-06T04:00:01.500Z'],
    ['24h', '2026-12-07T04:00:00.000Z'],
    ['2026-12-06T04:05:00Z', '2026-12-06T04:05:00.000Z'],
    ['2026-12-06T06:05:00+02:00', '2026-12-06T04:05:00.000Z'],
  ])('%s is the deadline %s', (value, at) => {
    expect(resolveCancelAfter(value, NOW)).toEqual({ ok: true, at });
  });

  it.each(['0.5s', '999ms', '24.01h', '25h', '2026-12-06T03:59:00Z', '2026-12-07T04:00:01Z'])(
    '%s is refused: less than 1 s or more than 24 h ahead',
    (value) => {
      const result = resolveCancelAfter(value, NOW);
      expect(result).toEqual({ ok: false, message: expect.stringContaining('at least 1 second') });
    },
  );

  it.each(['', '90', '10 minutes', '-5s', 'soon', '2026-12-06T04:05:00', '2026-12-06'])(
    '%j is refused: neither a duration nor a time with an offset',
    (value) => {
      const result = resolveCancelAfter(value, NOW);
      expect(result).toEqual({ ok: false, message: expect.stringContaining("'cancelAfter'") });
      expect(result.ok || result.message).toContain('duration');
    },
  );
});
