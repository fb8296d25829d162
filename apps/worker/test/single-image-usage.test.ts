import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from './support/harness.ts';
import { usageOfTenant } from './support/usage.ts';

// A single-image job without deliveries ends inside its local Runware step, which writes the job's usage
// line with its `succeeded` (issue #18: one local activity per job instead of two).

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('single-usage');
  await h.startWorkers();
});

afterAll(() => h?.close());

/** The local activities' types in a job's history, in order (from their markers). */
async function localActivities(job: Awaited<ReturnType<Harness['start']>>): Promise<string[]> {
  const history = await job.handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const payload = marker.details?.data?.payloads?.[0]?.data;
    const data = JSON.parse(Buffer.from(payload ?? []).toString('utf8') || '{}');
    return [String(data.activity_type)];
  });
}

describe('the usage line of a single-image job', () => {
  it('is written by its local Runware step, once, with the image and its cost', async () => {
    const job = await h.start(h.input(await h.task(), { tenant: `usage-${crypto.randomUUID()}` }));
    const state = await h.result(job);
    expect(state.status).toBe('SUCCEEDED');
    expect(await localActivities(job)).toEqual(['collectImagesLocally']);
    const usage = await usageOfTenant(h.redis, job.input.tenant);
    expect(usage).toMatchObject({ images: 1, imagesWithoutCost: 0, jobs: { SUCCEEDED: 1 } });
    expect(usage.costUsd).toBeCloseTo(state.cost ?? Number.NaN, 9);
  });
});
