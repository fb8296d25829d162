import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween, type JobUsage, type RedisClient, UsageRecords } from '../src/index.ts';
import { BACKENDS, type Backend, startBackend } from './support/backends.ts';

const DAY = '2026-12-01';
const job = (jobId: string, extra: Partial<JobUsage> = {}): JobUsage => ({
  jobId,
  tenant: 'acme',
  keyId: 'a1b2c3d4e5f6',
  model: 'civitai:139562@344487',
  outcome: 'SUCCEEDED',
  finishedAt: `${DAY}T10:00:00.000Z`,
  imageCosts: [0.0019, 0.0019],
  ...extra,
});

describe.each(BACKENDS)('UsageRecords on a %s', (kind) => {
  let backend: Backend;
  let redis: RedisClient;
  let usage: UsageRecords;

  beforeAll(async () => {
    backend = await startBackend(kind);
    redis = backend.client;
    usage = new UsageRecords(redis);
  });

  afterAll(() => backend.stop());

  it('counts a job once however often it is recorded, concurrently or after a crash', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => usage.record(job('job-1'))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await usage.record(job('job-1'))).toBe(false);
    const [cell] = await usage.cells([DAY], ['acme']);
    expect(cell).toMatchObject({ jobs: { SUCCEEDED: 1, FAILED: 0 }, images: 2, costUsd: 0.0038 });
  });

  it('splits by model and key, counts outcomes, and keeps cost-less images apart', async () => {
    await usage.record(job('job-2', { outcome: 'FAILED', imageCosts: [0.0001] }));
    await usage.record(job('job-3', { outcome: 'CANCELLED', imageCosts: [] }));
    await usage.record(
      job('job-4', { outcome: 'TIMED_OUT', imageCosts: [null, null], keyId: 'ffffffffffff' }),
    );
    await usage.record(job('job-5', { model: 'civitai:101055@128078', imageCosts: [0.1, 0.2] }));
    const cells = await usage.cells([DAY], ['acme']);
    const main = cells.find((c) => c.model === 'civitai:139562@344487' && c.keyId === 'a1b2c3d4e5f6');
    expect(main).toMatchObject({
      jobs: { SUCCEEDED: 1, FAILED: 1, CANCELLED: 1, TIMED_OUT: 0 },
      images: 3,
      costUsd: 0.0039,
      imagesWithoutCost: 0,
    });
    const other = cells.find((c) => c.keyId === 'ffffffffffff');
    expect(other).toMatchObject({
      jobs: { TIMED_OUT: 1 },
      images: 2,
      costUsd: 0,
      imagesWithoutCost: 2,
      jobsWithoutCost: 1,
    });
    // Summed in nano-USD: 0.1 + 0.2 is exactly 0.3 here.
    expect(cells.find((c) => c.model === 'civitai:101055@128078')?.costUsd).toBe(0.3);
  });

  it('a tenant reads its own cells; "all" finds every tenant with usage on each day', async () => {
    await usage.record(job('job-6', { tenant: 'other', finishedAt: '2026-12-02T23:59:59.999Z' }));
    expect(await usage.cells(daysBetween(DAY, '2026-12-02'), ['other'])).toHaveLength(1);
    const all = await usage.cells(daysBetween('2026-11-30', '2026-12-03'), 'all');
    expect(new Set(all.map((c) => `${c.tenant}@${c.day}`))).toEqual(
      new Set(['acme@2026-12-01', 'other@2026-12-02']),
    );
    expect(await usage.cells(['2026-11-30'], ['acme'])).toEqual([]);
  });

  it('keeps counters for a year and the job set for days; holds nothing but ids and numbers', async () => {
    const keys = await (backend.cluster ? Promise.resolve([]) : redis.keys('photomaker:accounting:*'));
    for (const key of keys) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(key.includes(':recorded:') ? 8 * 86_400 : 400 * 86_400);
    }
    if (!backend.cluster) expect(keys.length).toBeGreaterThanOrEqual(4);
  });
});

describe('daysBetween', () => {
  it('lists UTC days, both ends included, across a month end', () => {
    expect(daysBetween('2026-11-29', '2026-12-02')).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
    expect(daysBetween('2026-12-02', '2026-12-01')).toEqual([]);
  });
});
