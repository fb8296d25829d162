import { randomUUID } from 'node:crypto';
import { createLogger } from '@photomaker/observability';
import type { JobState } from '@photomaker/schema';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageAdmission } from '../src/jobs/usage-admission.ts';
import { UsageLedger } from '../src/jobs/usage-ledger.ts';
import { stack } from './helpers.ts';
import { queuedJob } from './support/in-process.ts';

// A release lost with the API that started the job (crash): the next admission refused by the queue limit
// asks the job records, and frees the slots of jobs that ended. Real redis-server; job reads faked.

let redis: Redis;
let now = Date.now();
const logger = createLogger({ service: 'usage-admission-test', level: 'silent' });

beforeAll(() => {
  redis = new Redis(stack().redisUrl, { connectionName: 'usage-admission-test' });
});
afterAll(() => redis.disconnect());

function admission(states: Map<string, JobState>) {
  const ledger = new UsageLedger({ redis, maxInFlight: undefined, slotTtlMs: 600_000, now: () => now });
  return new UsageAdmission({
    ledger,
    reads: { get: async (_tenant, jobId) => states.get(jobId) },
    follow: { follow: async () => undefined },
    slotTtlMs: 600_000,
    logger,
  });
}

describe('usage admission: slots of jobs that ended without a release', () => {
  it('reclaims a slot whose job ended, and not one whose job still runs or was just reserved', async () => {
    const tenant = `reclaim-${randomUUID()}`;
    const one = { maxRunningJobs: 1, maxQueuedJobs: 0 };
    const states = new Map<string, JobState>();
    const usage = admission(states);
    const first = randomUUID();
    expect(await usage.reserve(tenant, one, [{ jobId: first, images: 1 }])).toEqual({
      ok: true,
      held: [first],
    });
    states.set(first, { ...queuedJob(tenant, first), status: 'RUNNING' });

    // Just reserved (its workflow may be starting): never reclaimed.
    const second = { jobId: randomUUID(), images: 1 };
    expect(await usage.reserve(tenant, one, [second])).toMatchObject({
      refusal: { limitName: 'maxQueuedJobs' },
    });
    // Older, but its job is still running: kept.
    now += 31_000;
    expect(await usage.reserve(tenant, one, [second])).toMatchObject({
      refusal: { limitName: 'maxQueuedJobs' },
    });
    // Its job ended (the API that would have released it is gone): reclaimed, and the next job admitted.
    states.set(first, { ...queuedJob(tenant, first), status: 'SUCCEEDED' });
    expect(await usage.reserve(tenant, one, [second])).toEqual({ ok: true, held: [second.jobId] });
  });
});
