import { type UsageCell, UsageRecords } from '@photomaker/events';
import type { Redis } from 'ioredis';

/**
 * The usage a tenant's jobs recorded (the worker's `recordUsage` step) over the last ten minutes' UTC
 * days, summed: tests give each job a tenant of its own, so this is that job's line.
 */
export async function usageOfTenant(redis: Redis, tenant: string): Promise<Omit<UsageCell, 'day'>> {
  const days = [
    ...new Set([Date.now() - 600_000, Date.now()].map((at) => new Date(at).toISOString().slice(0, 10))),
  ];
  const cells = await new UsageRecords(redis).cells(days, [tenant]);
  const sum: Omit<UsageCell, 'day'> = {
    tenant,
    model: cells[0]?.model ?? '',
    keyId: cells[0]?.keyId ?? '',
    jobs: { SUCCEEDED: 0, FAILED: 0, CANCELLED: 0, TIMED_OUT: 0 },
    images: 0,
    costUsd: 0,
    imagesWithoutCost: 0,
    jobsWithoutCost: 0,
  };
  for (const cell of cells) {
    for (const outcome of Object.keys(sum.jobs) as (keyof UsageCell['jobs'])[])
      sum.jobs[outcome] += cell.jobs[outcome];
    sum.images += cell.images;
    sum.costUsd = Math.round((sum.costUsd + cell.costUsd) * 1e9) / 1e9;
    sum.imagesWithoutCost += cell.imagesWithoutCost;
    sum.jobsWithoutCost += cell.jobsWithoutCost;
  }
  return sum;
}
