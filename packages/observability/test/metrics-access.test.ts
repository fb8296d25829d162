import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { metricsAccess, metricsTokenEnv } from '../src/index.ts';

const TOKEN = 'metrics-token-0123456789';

describe('metricsAccess', () => {
  it('with a token, admits only its bearer header', () => {
    expect(metricsAccess(`Bearer ${TOKEN}`, TOKEN, false)).toEqual({ ok: true });
    expect(metricsAccess(`Bearer ${TOKEN}`, TOKEN, true)).toEqual({ ok: true });
    for (const header of [undefined, '', TOKEN, `Bearer ${TOKEN}x`, `bearer ${TOKEN}`, 'Bearer wrong']) {
      expect(metricsAccess(header, TOKEN, true)).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('without a token, serves only where it is open (the private port)', () => {
    expect(metricsAccess(undefined, undefined, true)).toEqual({ ok: true });
    expect(metricsAccess('Bearer x', undefined, false)).toMatchObject({
      ok: false,
      status: 404,
      message: expect.stringContaining('PHOTOMAKER_METRICS_TOKEN'),
    });
  });

  it('refuses a short token', () => {
    const parsed = parseEnv(metricsTokenEnv, { PHOTOMAKER_METRICS_TOKEN: 'short' });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? [] : parsed.problems.join()).toContain('PHOTOMAKER_METRICS_TOKEN');
  });
});
