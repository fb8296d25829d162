import type { AccountDetailsResult, UsageActivityResult } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { generationCostNano, nanoToUsd } from '../src/state/cost.ts';
import { OTHER_KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, MODEL, photoMakerTask, uuid } from './helpers/fixtures.ts';
import { admin, pollUntilDone, post, type RestReply } from './helpers/rest.ts';

const first = <T>(reply: RestReply) => reply.body.data?.[0] as unknown as T;
const activity = (reply: RestReply) => first<UsageActivityResult>(reply).usage;
const DETAILS = { taskType: 'accountManagement', operation: 'getDetails' };

const today = () => new Date().toISOString().slice(0, 10);
const OTHER_MODEL = 'civitai:101055@128078';
const SMALL = { width: 256, height: 256, steps: 20 };
// The price list is per model (src/state/cost.ts): three images of MODEL, one of OTHER_MODEL.
const FIRST_NANO = 3 * generationCostNano({ model: MODEL, ...SMALL });
const SECOND_NANO = generationCostNano({ model: OTHER_MODEL, ...SMALL });
const FIRST_SPEND = nanoToUsd(FIRST_NANO);
const SECOND_SPEND = nanoToUsd(SECOND_NANO);
const TOTAL_SPEND = nanoToUsd(FIRST_NANO + SECOND_NANO);

function usageTask(extra: Record<string, unknown> = {}) {
  return {
    taskType: 'accountManagement',
    taskUUID: uuid(),
    operation: 'getUsageActivity',
    startDate: today(),
    endDate: today(),
    ...extra,
  };
}

describe('accountManagement over REST', () => {
  let emulator: Emulator;
  let face: string;
  beforeAll(async () => {
    emulator = await startEmulator({ balance: 10 });
    face = dataUri(await facePng('a'));
    // 256x256 x 20 steps, priced per model. Three images on the first key, one (and one failed
    // generation, not charged) on the second with another model.
    const small = { ...SMALL, deliveryMethod: 'async' };
    const first = photoMakerTask([face], { ...small, numberResults: 3 });
    const second = photoMakerTask([face], { ...small, numberResults: 2, model: OTHER_MODEL });
    const faults = await admin(emulator, '/faults', 'PUT', {
      scripted: [
        {
          match: { taskUUID: String(second.taskUUID) },
          fault: { kind: 'generationError', code: 'inferenceError', message: 'boom', images: [1] },
        },
      ],
    });
    expect(faults.status).toBe(200);
    expect((await post(emulator, [first])).status).toBe(200);
    expect((await post(emulator, [second], { key: OTHER_KEY })).status).toBe(200);
    await pollUntilDone(emulator, String(first.taskUUID), 3);
    await pollUntilDone(emulator, String(second.taskUUID), 2);
  });
  afterAll(() => emulator.close());

  it('getUsageActivity reports requests, results and spend per day, model and masked key', async () => {
    const task = usageTask({ groupBy: ['date', 'model', 'apiKey'] });
    const reply = await post(emulator, [task]);
    expect(reply.status).toBe(200);
    const result = first<UsageActivityResult>(reply);
    expect(result).toMatchObject({ taskType: 'accountManagement', taskUUID: task.taskUUID });
    expect(result.usage.timeseries?.data).toEqual([
      { date: today(), count: 2, results: 4, spend: TOTAL_SPEND },
    ]);
    expect(result.usage.timeseries?.meta).toMatchObject({
      totalRequests: 2,
      totalResults: 4,
      totalSpend: TOTAL_SPEND,
    });
    expect(result.usage.model?.data).toEqual([
      { date: today(), model: OTHER_MODEL, count: 1, results: 1, spend: SECOND_SPEND },
      { date: today(), model: MODEL, count: 1, results: 3, spend: FIRST_SPEND },
    ]);
    const keys = result.usage.apiKey?.data.map((row) => row.apiKey) ?? [];
    expect(keys).toHaveLength(2);
    // Masked: never the key itself.
    for (const label of keys) expect(label).not.toMatch(/^test-key-\d$/);
  });

  it('filters by model and by masked key; an empty window answers zeros', async () => {
    const byModel = await post(emulator, [usageTask({ models: [OTHER_MODEL] })]);
    expect(activity(byModel).timeseries?.meta.totalResults).toBe(1);
    const details = first<AccountDetailsResult>(await post(emulator, [{ ...DETAILS, taskUUID: uuid() }]));
    const second = String(details.apiKeys[1]?.apiKey);
    const byKey = await post(emulator, [usageTask({ apiKeys: [second] })]);
    expect(activity(byKey).timeseries?.meta).toMatchObject({
      totalRequests: 1,
      totalResults: 1,
    });
    const past = await post(emulator, [usageTask({ startDate: '2020-01-01', endDate: '2020-01-30' })]);
    expect(activity(past).timeseries).toEqual({
      data: [],
      meta: { totalRequests: 0, totalResults: 0, totalSpend: 0, avgDailySpend: 0 },
    });
  });

  it('getDetails: the balance after the charges, masked keys with their requests, usage totals', async () => {
    const reply = await post(emulator, [
      { taskType: 'accountManagement', taskUUID: uuid(), operation: 'getDetails' },
    ]);
    const details = first<AccountDetailsResult>(reply);
    expect(details.balance).toBeCloseTo(10 - TOTAL_SPEND, 9);
    expect(details.apiKeys.map((key) => key.requests)).toEqual([1, 1]);
    expect(JSON.stringify(details)).not.toContain('test-key-');
    expect(details.usage.today).toEqual({ requests: 2, results: 4, spend: TOTAL_SPEND });
    expect(details.usage.total).toEqual(details.usage.today);
  });

  it('refuses a window over 30 days, dates out of order, a bad date and an unknown operation, naming the field', async () => {
    const long = await post(emulator, [usageTask({ startDate: '2026-01-01', endDate: '2026-01-31' })]);
    expect(long.status).toBe(400);
    expect(long.body.errors?.[0]).toMatchObject({ code: 'invalidEndDate', parameter: 'endDate' });
    expect(String(long.body.errors?.[0]?.message)).toContain('30 days');
    const reversed = await post(emulator, [usageTask({ startDate: '2026-02-02', endDate: '2026-02-01' })]);
    expect(reversed.body.errors?.[0]).toMatchObject({ parameter: 'endDate' });
    const bad = await post(emulator, [usageTask({ startDate: '2026-13-45' })]);
    expect(bad.body.errors?.[0]).toMatchObject({ code: 'invalidStartDate', parameter: 'startDate' });
    const op = await post(emulator, [
      { taskType: 'accountManagement', taskUUID: uuid(), operation: 'getUsageErrors' },
    ]);
    expect(op.body.errors?.[0]).toMatchObject({ code: 'invalidOperation', parameter: 'operation' });
  });
});
