import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import { EMULATOR_KEY, Emulator, referencePng } from './support/emulator.ts';

// Runware's own SDKs timed out on exactly this: 20 images as base64 PNG in one
// sync answer. Timeouts here are idle-based, so a big body that keeps flowing must get through.
let emulator: Emulator;
let client: RunwareClient;

beforeAll(async () => {
  emulator = await Emulator.start();
  // A body timeout far below the time the whole answer takes to arrive.
  client = new RunwareClient({
    baseUrl: emulator.restUrl,
    apiKey: EMULATOR_KEY,
    retry: false,
    bodyTimeoutMs: 1_000,
  });
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

describe('large results', () => {
  it('20 x 1024x1024 base64 PNG in one sync answer, each decodable at the requested size', async () => {
    const taskUUID = randomUUID();
    // Trickled out over 3 s in 8 chunks: gaps of ~375 ms stay under the 1 s idle limit.
    await emulator.script({ match: { taskUUID }, fault: { kind: 'slowBody', ms: 3_000 } });
    const results = await client.photoMaker({
      taskUUID,
      inputImages: [await referencePng()],
      positivePrompt: 'portrait photo, soft light',
      model: 'civitai:139562@344487',
      width: 1024,
      height: 1024,
      steps: 4,
      numberResults: 20,
      outputType: 'base64Data',
      outputFormat: 'PNG',
    });
    expect(results).toHaveLength(20);
    const bytes = results.reduce((sum, r) => sum + (r.imageBase64Data?.length ?? 0), 0);
    expect(bytes).toBeGreaterThan(20 * 10_000);
    const metas = await Promise.all(
      results.map((r) => sharp(Buffer.from(r.imageBase64Data ?? '', 'base64')).metadata()),
    );
    for (const meta of metas) expect(meta).toMatchObject({ width: 1024, height: 1024, format: 'png' });
    expect(await emulator.task(taskUUID)).toMatchObject({ submissions: 1, charges: 20 });
  });
});
