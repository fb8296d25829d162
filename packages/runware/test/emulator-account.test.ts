import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import { RunwareApiError, RunwareValidationError } from '../src/errors.ts';
import { EMULATOR_KEY, Emulator, referencePng } from './support/emulator.ts';

// accountManagement against the real emulator process: what the account says it charged equals the sum
// of the per-image costs the client saw (includeCost).
let emulator: Emulator;
let client: RunwareClient;
let reference: string;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  emulator = await Emulator.start();
  client = new RunwareClient({
    baseUrl: emulator.restUrl,
    apiKey: EMULATOR_KEY,
    poll: { initialDelayMs: 20 },
  });
  reference = await referencePng();
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

describe('accountManagement', () => {
  it('usageActivity and accountDetails agree with the costs of the images made', async () => {
    const before = await client.accountDetails();
    const images = await client.photoMaker({
      inputImages: [reference],
      positivePrompt: 'portrait photo, soft light',
      model: 'civitai:139562@344487',
      width: 256,
      height: 256,
      steps: 4,
      numberResults: 2,
      includeCost: true,
    });
    const spent = images.reduce((sum, image) => sum + (image.cost ?? 0), 0);
    expect(spent).toBeGreaterThan(0);
    const usage = await client.usageActivity({
      startDate: today(),
      endDate: today(),
      groupBy: ['date', 'model'],
    });
    expect(usage.usage.timeseries?.meta.totalResults).toBe(2);
    expect(usage.usage.timeseries?.meta.totalSpend).toBeCloseTo(spent, 9);
    expect(usage.usage.model?.data).toEqual([
      expect.objectContaining({ model: 'civitai:139562@344487', count: 1, results: 2 }),
    ]);
    const after = await client.accountDetails();
    expect(before.balance - after.balance).toBeCloseTo(spent, 9);
    expect(after.apiKeys).toHaveLength(1);
    expect(JSON.stringify(after)).not.toContain(EMULATOR_KEY);
  });

  it('a bad date is refused before sending; a window over 30 days by Runware, naming endDate', async () => {
    await expect(client.usageActivity({ startDate: '2026-1-1', endDate: today() })).rejects.toBeInstanceOf(
      RunwareValidationError,
    );
    const refused = await client
      .usageActivity({ startDate: '2026-01-01', endDate: '2026-03-01' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RunwareApiError);
    expect(refused).toMatchObject({ parameter: 'endDate', retryable: false });
  });
});
