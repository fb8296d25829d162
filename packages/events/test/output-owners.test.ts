import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobKey, layoutOf, OutputOwners, type RedisClient } from '../src/index.ts';
import { BACKENDS, type Backend, startBackend } from './support/backends.ts';

const OUT = '8c1a3f5e-2b4d-4c6e-9f01-23456789abcd';

describe.each(BACKENDS)('OutputOwners on a %s', (kind) => {
  let backend: Backend;
  let redis: RedisClient;
  let owners: OutputOwners;

  beforeAll(async () => {
    backend = await startBackend(kind);
    redis = backend.client;
    owners = new OutputOwners(redis, { ttlSeconds: 60 });
  });

  afterAll(() => backend.stop());

  it('records many outputs of one job at once (keys of several slots in a cluster)', async () => {
    const many = Array.from(
      { length: 12 },
      (_, i) => `22222222-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    await owners.recordJob('tenant-m', 'job-m');
    await owners.recordOutputs('job-m', many);
    for (const uuid of many) expect(await owners.ownerOf(uuid)).toEqual({ known: true, tenant: 'tenant-m' });
  });

  it('answers the tenant of the job that produced an output, in any letter case', async () => {
    await owners.recordJob('tenant-a', 'job-1');
    await owners.recordOutputs('job-1', [OUT]);
    expect(await owners.ownerOf(OUT)).toEqual({ known: true, tenant: 'tenant-a' });
    expect(await owners.ownerOf(OUT.toUpperCase())).toEqual({ known: true, tenant: 'tenant-a' });
  });

  it('knows nothing of a UUID it never saw, and an output whose job owner is gone has no tenant', async () => {
    expect(await owners.ownerOf('00000000-0000-4000-8000-000000000000')).toEqual({ known: false });
    await owners.recordOutputs('job-2', ['11111111-1111-4111-8111-111111111111']);
    expect(await owners.ownerOf('11111111-1111-4111-8111-111111111111')).toEqual({
      known: true,
      tenant: undefined,
    });
  });

  it('keeps both keys for the configured time', async () => {
    expect(await redis.ttl(`photomaker:output:${OUT}:job`)).toBeGreaterThan(50);
    expect(await redis.ttl(jobKey('job-1', 'tenant', layoutOf(redis)))).toBeGreaterThan(50);
  });
});
