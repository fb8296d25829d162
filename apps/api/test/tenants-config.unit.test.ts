import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTenantDirectory } from '../src/auth/tenants-config.ts';
import { configFromEnv } from '../src/config.ts';

const DIGEST = `sha256:${'cd'.repeat(32)}`;

function tenantsFile(name: string, text: string): string {
  const path = join(tmpdir(), `tenants-config-${process.pid}-${name}`);
  writeFileSync(path, text);
  return path;
}

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('tenants at start (configFromEnv)', () => {
  it('reads a tenants file alone: no dev key, file limits over PHOTOMAKER_TENANT_DEFAULT_*', () => {
    const file = tenantsFile(
      'ok.yaml',
      `tenants:\n  alice:\n    apiKeys: ["${DIGEST}"]\n    limits:\n      imagesPerDay: 50\n`,
    );
    const config = configFromEnv({
      PHOTOMAKER_TENANTS_FILE: file,
      PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY: '1000',
      PHOTOMAKER_TENANT_DEFAULT_MAX_RUNNING_JOBS: '3',
      PHOTOMAKER_TENANT_DEFAULT_SPEND_PER_DAY_USD: '2.5',
      PHOTOMAKER_TENANT_DEFAULT_PRIORITY: 'LOW',
    });
    expect(config.apiKeysSpec).toBe('');
    expect(config.warnings.join('\n')).not.toContain('dev key');
    expect(config.tenants.baseline).toEqual({
      limits: { imagesPerDay: 1000, maxRunningJobs: 3, spendPerDayUsd: 2.5 },
      defaults: { priority: 'LOW' },
    });
    const alice = loadTenantDirectory(config.tenants).tenant('alice');
    expect(alice).toEqual({
      id: 'alice',
      limits: { imagesPerDay: 50, maxRunningJobs: 3, spendPerDayUsd: 2.5 },
      defaults: { priority: 'LOW' },
    });
  });

  it('stops the start on a bad file, naming the variable, the tenant and the field', () => {
    const file = tenantsFile('bad.json', JSON.stringify({ tenants: { alice: { apiKeys: ['clear-key'] } } }));
    const message = failure(() => configFromEnv({ PHOTOMAKER_TENANTS_FILE: file }));
    expect(message).toContain('PHOTOMAKER_TENANTS_FILE: tenants file');
    expect(message).toContain('tenants.alice.apiKeys.0: expected sha256:<64 hex digits>');
    expect(message).not.toContain('clear-key');
  });

  it('refuses a key in two tenants across PHOTOMAKER_API_KEYS and the file', () => {
    const key = 'shared-key-0123456789abcdefghijklmnop';
    const digest = createHash('sha256').update(key).digest('hex');
    const file = tenantsFile(
      'dup.json',
      JSON.stringify({ tenants: { alice: { apiKeys: [`sha256:${digest}`] } } }),
    );
    const message = failure(() =>
      configFromEnv({ PHOTOMAKER_TENANTS_FILE: file, PHOTOMAKER_API_KEYS: `bob:${key}` }),
    );
    expect(message).toContain('PHOTOMAKER_API_KEYS / PHOTOMAKER_TENANTS_FILE');
    expect(message).toContain('held by two tenants (bob, alice)');
  });

  it('checks the env defaults and the file name', () => {
    expect(failure(() => configFromEnv({ PHOTOMAKER_TENANT_DEFAULT_PRIORITY: 'URGENT' }))).toContain(
      'PHOTOMAKER_TENANT_DEFAULT_PRIORITY: must be one of: HIGH, NORMAL, LOW',
    );
    expect(failure(() => configFromEnv({ PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY: '-1' }))).toContain(
      'PHOTOMAKER_TENANT_DEFAULT_IMAGES_PER_DAY',
    );
    expect(failure(() => configFromEnv({ PHOTOMAKER_TENANTS_FILE: tenantsFile('x.toml', '') }))).toContain(
      'PHOTOMAKER_TENANTS_FILE: must end in .json, .yaml or .yml',
    );
  });
});
