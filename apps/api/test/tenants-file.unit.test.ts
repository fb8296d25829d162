import { describe, expect, it } from 'vitest';
import { parseTenantsFile } from '../src/auth/tenants-file.ts';

const digest = `sha256:${'ab'.repeat(32)}`;

function problems(file: string, text: string): string {
  try {
    parseTenantsFile(file, text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the file to be refused');
}

describe('tenants file', () => {
  it('reads JSON: digests, limits and defaults per tenant', () => {
    const tenants = parseTenantsFile(
      'tenants.json',
      JSON.stringify({
        tenants: {
          alice: {
            apiKeys: [digest],
            limits: { maxRunningJobs: 2, imagesPerDay: 500, spendPerDayUsd: 12.5 },
            defaults: { priority: 'HIGH', referenceCheck: 'WARN' },
          },
        },
      }),
    );
    const alice = tenants.get('alice');
    expect(alice?.keyDigests.map((key) => key.toString('hex'))).toEqual(['ab'.repeat(32)]);
    expect(alice?.limits).toEqual({ maxRunningJobs: 2, imagesPerDay: 500, spendPerDayUsd: 12.5 });
    expect(alice?.defaults).toEqual({ priority: 'HIGH', referenceCheck: 'WARN' });
  });

  it('reads YAML the same way (.yaml and .yml)', () => {
    const text = `tenants:\n  bob:\n    apiKeys: ["${digest}"]\n    limits:\n      imagesPerMinute: 30\n`;
    for (const name of ['t.yaml', 't.yml']) {
      const bob = parseTenantsFile(name, text).get('bob');
      expect(bob?.limits).toEqual({ imagesPerMinute: 30 });
      expect(bob?.defaults).toEqual({});
    }
  });

  it('names the tenant and field of every problem', () => {
    const message = problems(
      'tenants.json',
      JSON.stringify({
        tenants: {
          alice: {
            apiKeys: [digest],
            limits: { imagesPerDay: -1, maxQueuedJobs: 1.5, spendPerDayUsd: 'ten', burst: 3 },
            defaults: { priority: 'URGENT' },
          },
          carol: { apiKeys: [] },
        },
      }),
    );
    expect(message).toContain('tenants.alice.limits.imagesPerDay: expected a whole number >= 0');
    expect(message).toContain('tenants.alice.limits.maxQueuedJobs: expected a whole number >= 0');
    expect(message).toContain('tenants.alice.limits.spendPerDayUsd: expected a number of USD >= 0');
    expect(message).toContain('tenants.alice.limits.burst: unknown field');
    expect(message).toContain('tenants.alice.defaults.priority: expected HIGH, NORMAL or LOW');
    expect(message).toContain('tenants.carol.apiKeys: expected at least one key digest');
  });

  it('refuses a clear key, says how to hash it, and never echoes it', () => {
    const clear = 'a-clear-key-that-must-never-be-in-the-file';
    const message = problems('t.json', JSON.stringify({ tenants: { alice: { apiKeys: [clear] } } }));
    expect(message).toContain('tenants.alice.apiKeys.0: expected sha256:<64 hex digits>');
    expect(message).toContain("printf %s 'KEY' | sha256sum");
    expect(message).not.toContain(clear);
  });

  it('refuses a bad tenant id, a bad syntax and an unknown extension', () => {
    expect(problems('t.json', JSON.stringify({ tenants: { 'not ok': { apiKeys: [digest] } } }))).toContain(
      'tenant id must match',
    );
    expect(problems('t.yaml', 'tenants: [1')).toMatch(/t\.yaml:\n {2}not valid YAML/);
    expect(problems('t.json', '{')).toContain('not valid JSON');
    expect(problems('t.toml', '')).toContain('must end in .json, .yaml or .yml');
    expect(problems('t.json', '{"tenants": {}, "extra": 1}')).toContain('extra: unknown field');
  });
  it('reads retention days per tenant and names a bad one', () => {
    const file = (retention: unknown) =>
      JSON.stringify({ tenants: { alice: { apiKeys: [digest], retention } } });
    const alice = parseTenantsFile('tenants.json', file({ outputDays: 7, referenceDays: 0.5 })).get('alice');
    expect(alice?.retention).toEqual({ outputDays: 7, referenceDays: 0.5 });
    expect(problems('tenants.json', file({ jobDays: 400 }))).toContain(
      'tenants.alice.retention.jobDays: expected a number of days from 0 to 365',
    );
    expect(problems('tenants.json', file({ photoDays: 1 }))).toContain(
      'tenants.alice.retention.photoDays: unknown field',
    );
  });
});
