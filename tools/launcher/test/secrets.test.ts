import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSecrets } from '../src/secrets.ts';

const URL_SAFE = /^[A-Za-z0-9_-]{32,}$/;

describe('ensureSecrets', () => {
  it('generates every secret once, operator tokens included, in a 0600 file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const first = ensureSecrets(dir);
    expect(first.metricsToken).toMatch(URL_SAFE);
    expect(first.codecToken).toMatch(URL_SAFE);
    expect(first.codecToken).not.toBe(first.metricsToken);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(ensureSecrets(dir)).toEqual(first);
  });

  it('adds the operator tokens to a file written before they existed, keeping the other secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-old-'));
    const old = {
      payloadKeys: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
      webhookSecret: 'webhook-secret-0123456789',
      urlSecret: 'url-secret-0123456789abcdef',
      emulatorKey: 'rw-emulator-0123456789ab',
    };
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify(old), { mode: 0o600 });
    const upgraded = ensureSecrets(dir);
    expect(upgraded).toMatchObject(old);
    expect(upgraded.metricsToken).toMatch(URL_SAFE);
    expect(JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))).toEqual(upgraded);
    expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(ensureSecrets(dir)).toEqual(upgraded);
  });
});
