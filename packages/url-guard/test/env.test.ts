import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import { urlGuardEnv } from '../src/index.ts';

describe('url-guard env fragment', () => {
  it('accepts hosts and CIDRs, and refuses what the guard could not parse', () => {
    expect(parseEnv(urlGuardEnv, { PHOTOMAKER_ALLOW_PRIVATE_URLS: '10.0.0.0/8, hooks.internal' }).ok).toBe(
      true,
    );
    expect(parseEnv(urlGuardEnv, { PHOTOMAKER_ALLOW_PRIVATE_URLS: '10.0.0.0/99' })).toEqual({
      ok: false,
      problems: [
        `PHOTOMAKER_ALLOW_PRIVATE_URLS: '10.0.0.0/99' is not an IP, a CIDR, a host name or '*' (got "10.0.0.0/99")`,
      ],
    });
  });
});
