import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { logEnv } from '../src/index.ts';

describe('log env fragment', () => {
  it('defaults to info and refuses an unknown level', () => {
    expect(parseEnv(logEnv, {})).toEqual({ ok: true, data: { LOG_LEVEL: 'info' } });
    expect(parseEnv(logEnv, { LOG_LEVEL: 'verbose' })).toEqual({
      ok: false,
      problems: ['LOG_LEVEL: must be one of: trace, debug, info, warn, error, fatal, silent (got "verbose")'],
    });
  });
});
