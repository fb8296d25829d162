import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { blobDirEnv, urlSigningEnv } from '../src/index.ts';

describe('blobstore env fragments', () => {
  it('leave the blob dir and URL secret unset by default (the readers pick the fallbacks)', () => {
    expect(parseEnv(blobDirEnv, {})).toEqual({ ok: true, data: {} });
    expect(parseEnv(urlSigningEnv, {})).toEqual({ ok: true, data: {} });
  });

  it('refuse a short URL secret without showing it', () => {
    expect(parseEnv(urlSigningEnv, { PHOTOMAKER_URL_SECRET: 'hunter2' })).toEqual({
      ok: false,
      problems: ['PHOTOMAKER_URL_SECRET: must be at least 16 characters'],
    });
  });
});
