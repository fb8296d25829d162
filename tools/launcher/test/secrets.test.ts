import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureSecrets } from '../src/secrets.ts';

describe('generated secrets: the Redis password', () => {
  it('include a Redis password; kept 0600 and the same on the next start', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'data');
    const first = ensureSecrets(dataDir);
    expect(first.redisPassword).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(ensureSecrets(dataDir)).toEqual(first);
  });

  it('complete a secrets.json written before the Redis password, keeping every other value', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'secrets-'));
    const file = join(dataDir, 'secrets.json');
    const older = {
      payloadKeys: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      webhookSecret: 'webhook-secret-0123456789',
      urlSecret: 'url-secret-0123456789abcdef',
      emulatorKey: 'rw-emulator-generated-key',
    };
    writeFileSync(file, JSON.stringify(older), { mode: 0o600 });
    const completed = ensureSecrets(dataDir);
    expect(completed).toMatchObject(older);
    expect(completed.redisPassword).toMatch(/^[0-9a-f]{48}$/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(completed);
  });
});

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
