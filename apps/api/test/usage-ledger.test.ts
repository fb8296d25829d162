import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@photomaker/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TenantLimits, UsageLedger } from '../src/jobs/usage-ledger.ts';
import { REDIS_BACKENDS, type RedisBackend, startRedisBackend } from './support/redis-backends.ts';

// The ledger's Lua scripts against the stack's real redis-server and a real Redis Cluster, in process,
// with a controlled clock.

let redis: RedisClient;
let now = Date.UTC(2026, 11, 6, 12, 0, 10);
/** The ledger, its reservations told as the refusal (undefined: every job reserved and held). */
function ledger(maxInFlight?: number) {
  const l = new UsageLedger({ redis, maxInFlight, slotTtlMs: 60_000, now: () => now });
  return {
    reserve: async (...args: Parameters<UsageLedger['reserve']>) => {
      const reservation = await l.reserve(...args);
      if (!reservation.ok) return reservation.refusal;
      expect(reservation.held).toEqual(args[2].map((job) => job.jobId));
      return undefined;
    },
    refund: (jobId: string) => l.refund(jobId),
    finish: (jobId: string, cost: number | null) => l.finish(jobId, cost),
    raw: l,
  };
}
const limits = (overrides: TenantLimits): TenantLimits => overrides;
const jobs = (...images: number[]) => images.map((n) => ({ jobId: randomUUID(), images: n }));
const tenant = () => `ledger-${randomUUID()}`;

describe.each(REDIS_BACKENDS)('usage ledger (Lua on a real %s)', (kind) => {
  let backend: RedisBackend;
  beforeAll(async () => {
    backend = await startRedisBackend(kind, 'usage-ledger-test');
    redis = backend.client;
  });
  afterAll(() => backend.stop());

  it('reserves a whole batch or none of it against images per minute, and refunds', async () => {
    const t = tenant();
    const l = ledger();
    const perMinute = limits({ imagesPerMinute: 10 });
    expect(await l.reserve(t, perMinute, jobs(4, 4))).toBeUndefined();
    const refused = await l.reserve(t, perMinute, jobs(1, 1, 1));
    expect(refused).toEqual({
      code: 'RATE_LIMITED',
      limitName: 'imagesPerMinute',
      limit: 10,
      current: 8,
      retryAfterSeconds: 50,
    });
    // Nothing of the refused batch was counted: 2 more still fit, and then nothing.
    const two = jobs(2);
    expect(await l.reserve(t, perMinute, two)).toBeUndefined();
    expect((await l.reserve(t, perMinute, jobs(1)))?.current).toBe(10);
    await l.refund(two.map((j) => j.jobId)[0] as string);
    expect(await l.reserve(t, perMinute, jobs(2))).toBeUndefined();
  });

  it('counts open jobs per tenant against maxRunningJobs + maxQueuedJobs, whole batches, and frees a place when a job finishes', async () => {
    const t = tenant();
    const l = ledger();
    const small = limits({ maxRunningJobs: 2, maxQueuedJobs: 1 });
    const first = jobs(1, 1, 1);
    expect(await l.reserve(t, small, first)).toBeUndefined();
    expect(await l.reserve(t, small, jobs(1))).toEqual({
      code: 'RATE_LIMITED',
      limitName: 'maxQueuedJobs',
      limit: 1,
      current: 1,
      retryAfterSeconds: 5,
    });
    // Another tenant has its own places; a batch over the limit is refused whole.
    const other = tenant();
    expect(await l.reserve(other, small, jobs(1, 1, 1, 1))).toMatchObject({ limitName: 'maxQueuedJobs' });
    expect(await l.reserve(other, small, jobs(1, 1, 1))).toBeUndefined();
    await l.finish(first[0]?.jobId as string, null);
    await l.finish(first[0]?.jobId as string, null); // idempotent
    expect(await l.reserve(t, small, jobs(1))).toBeUndefined();
  });

  it('no longer refuses on running slots: maxRunningJobs and the global budget alone bound nothing here (the admission queue holds those jobs)', async () => {
    const l = ledger(1);
    const t = tenant();
    expect(await l.reserve(t, limits({ maxRunningJobs: 1 }), jobs(1, 1, 1))).toBeUndefined();
    // With maxQueuedJobs, what the tenant may run is bounded by the global budget too: 1 + 2 open.
    expect(await l.reserve(tenant(), limits({ maxQueuedJobs: 2 }), jobs(1, 1, 1, 1))).toMatchObject({
      limitName: 'maxQueuedJobs',
      limit: 2,
      current: 0,
    });
  });

  it('frees a place whose release was lost at its deadline', async () => {
    const t = tenant();
    const l = ledger();
    const one = limits({ maxRunningJobs: 1, maxQueuedJobs: 0 });
    expect(await l.reserve(t, one, jobs(1))).toBeUndefined();
    expect((await l.reserve(t, one, jobs(1)))?.limitName).toBe('maxQueuedJobs');
    now += 60_001;
    expect(await l.reserve(t, one, jobs(1))).toBeUndefined();
  });

  it('refuses a day over its images with QUOTA_EXCEEDED until the next UTC day', async () => {
    const t = tenant();
    const l = ledger();
    const perDay = limits({ imagesPerDay: 5 });
    expect(await l.reserve(t, perDay, jobs(5))).toBeUndefined();
    const refused = await l.reserve(t, perDay, jobs(1));
    expect(refused).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limitName: 'imagesPerDay',
      limit: 5,
      current: 5,
    });
    const midnight = Date.UTC(2026, 11, 7);
    expect(refused?.retryAfterSeconds).toBe(Math.ceil((midnight - now) / 1000));
  });

  it("caps the day's spend at the price per image, corrected by Runware's actual cost", async () => {
    const t = tenant();
    const l = ledger();
    const spend = limits({ spendPerDayUsd: 0.05, pricePerImageUsd: 0.01 });
    const four = jobs(4);
    expect(await l.reserve(t, spend, four)).toBeUndefined();
    expect(await l.reserve(t, spend, jobs(2))).toMatchObject({
      code: 'QUOTA_EXCEEDED',
      limitName: 'spendPerDayUsd',
      limit: 0.05,
      current: 0.04,
    });
    // Runware charged 0.0025 for the 4 images: 0.0475 of the day is left, room for 4 more at 0.01.
    await l.finish(four[0]?.jobId as string, 0.0025);
    expect(await l.reserve(t, spend, jobs(4))).toBeUndefined();
    expect((await l.reserve(t, spend, jobs(1)))?.current).toBeCloseTo(0.0425, 6);
  });

  it('neither counts nor takes over a job another request holds already (the same job id)', async () => {
    const t = tenant();
    const l = ledger();
    const perDay = limits({ imagesPerDay: 10 });
    const [job] = jobs(4);
    if (!job) throw new Error('no job');
    expect(await l.raw.reserve(t, perDay, [job])).toEqual({ ok: true, held: [job.jobId] });
    // A concurrent request for the same job (an idempotency key, a re-sent taskUUID): not counted again.
    const again = jobs(3);
    expect(await l.raw.reserve(t, perDay, [job, ...again])).toEqual({
      ok: true,
      held: again.map((j) => j.jobId),
    });
    expect(await l.reserve(t, perDay, jobs(4))).toMatchObject({ limitName: 'imagesPerDay', current: 7 });
  });
});
