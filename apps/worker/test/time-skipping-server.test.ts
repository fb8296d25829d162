import { describe, expect, it } from 'vitest';
import { timeSkippingServerPath } from './support/time-skipping.ts';

// Which test server the time-skipping suite runs, and what a machine without one is told.

describe('the time-skipping test server', () => {
  it('is the wrapper run.sh names, else the one a bootstrap left in .tools/bin', () => {
    expect(timeSkippingServerPath({ TEMPORAL_TEST_SERVER: '/bin/sh' })).toBe('/bin/sh');
    expect(timeSkippingServerPath({})).toMatch(/\/\.tools\/bin\/temporal-test-server$/);
  });

  it('missing: the error says how to install it', () => {
    expect(() =>
      timeSkippingServerPath({ TEMPORAL_TEST_SERVER: '/nonexistent/temporal-test-server' }),
    ).toThrow(
      "no executable /nonexistent/temporal-test-server): run 'npm test', or 'bash tooling/bootstrap/run.sh --need temporal_test_server true'",
    );
  });
});
