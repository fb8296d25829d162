import { type RunningRedis, startRedis } from '@photomaker/harness';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputOwners } from '../src/index.ts';

let server: RunningRedis;
let redis: Redis;
let owners: OutputOwners;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  owners = new OutputOwners(redis, { ttlSeconds: 60 });
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const OUT = '8c1a3f5e-2b4d-4c6e-9f01-23456789abcd';

describe('OutputOwners', () => {
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
    expect(await redis.ttl('photomaker:job:job-1:tenant')).toBeGreaterThan(50);
  });
});
