import { randomUUID } from 'node:crypto';
import type { PhotoMakerResult } from '@photomaker/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import type { ResultBatch } from '../src/watch-results.ts';
import { EMULATOR_KEY, Emulator, referencePng } from './support/emulator.ts';

// client.watchResults against the real emulator process: the way the worker consumes it (store the
// fresh images, stop, resume in a later attempt with what it stored).
let emulator: Emulator;
let client: RunwareClient;
let reference: string;

const task = (taskUUID: string, numberResults: number) => ({
  taskUUID,
  inputImages: [reference],
  positivePrompt: 'portrait photo, soft light',
  model: 'civitai:139562@344487',
  width: 256,
  height: 256,
  steps: 4,
  numberResults,
});

beforeAll(async () => {
  emulator = await Emulator.start();
  client = new RunwareClient({
    baseUrl: emulator.restUrl,
    apiKey: EMULATOR_KEY,
    poll: { initialDelayMs: 20, maxDelayMs: 60 },
  });
  reference = await referencePng();
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

describe('client.watchResults', () => {
  it('stop after fresh images, resume with them as known: every image once, one charge each', async () => {
    await emulator.setLatency({ imageMs: 150, parallelism: 1 });
    try {
      const taskUUID = randomUUID();
      await client.submit(task(taskUUID, 3));
      const stored: PhotoMakerResult[] = [];
      let done = false;
      let attempts = 0;
      while (!done) {
        attempts += 1;
        const known = stored.map((result) => result.imageUUID);
        for await (const batch of client.watchResults(taskUUID, {
          numberResults: 3,
          known,
          firstDelayMs: 0,
        })) {
          stored.push(...batch.fresh);
          done = batch.done;
          if (batch.fresh.length > 0) break;
        }
      }
      const record = await emulator.task(taskUUID);
      expect(new Set(stored.map((r) => r.imageUUID)).size).toBe(3);
      expect(stored.map((r) => r.imageUUID).sort()).toEqual(
        record.images.map((image) => image.imageUUID ?? '').sort(),
      );
      expect(attempts).toBeGreaterThan(1);
      expect(record).toMatchObject({ submissions: 1, charges: 3 });
    } finally {
      await emulator.setLatency({ imageMs: 0, parallelism: 4 });
    }
  });

  it('a failed generation is data on the done batch; a 503 poll only slows it, after Retry-After', async () => {
    const taskUUID = randomUUID();
    await emulator.script(
      {
        match: { taskUUID },
        count: 1,
        fault: { kind: 'generationError', code: 'nsfwContentDetected', images: [0] },
      },
      {
        match: { taskUUID, taskType: 'getResponse' },
        count: 1,
        fault: { kind: 'error', status: 503, code: 'serviceUnavailable', retryAfterSeconds: 1 },
      },
    );
    await client.submit(task(taskUUID, 2));
    const failures: [string, number][] = [];
    const batches: ResultBatch[] = [];
    for await (const batch of client.watchResults(taskUUID, {
      numberResults: 2,
      onPollFailure: (error, nextDelayMs) => failures.push([error.code, nextDelayMs]),
    }))
      batches.push(batch);
    expect(failures).toEqual([['serviceUnavailable', 1_000]]);
    const last = batches.at(-1);
    expect(last).toMatchObject({ done: true, processing: 0 });
    expect(last?.errors.map((error) => error.code)).toEqual(['nsfwContentDetected']);
    expect(batches.flatMap((batch) => batch.fresh)).toHaveLength(1);
  });

  it('a task Runware does not know ends the watch with a permanent error, after the notFound grace', async () => {
    const watch = client.watchResults(randomUUID(), {
      numberResults: 1,
      firstDelayMs: 0,
      poll: { notFoundGraceMs: 300 },
    });
    await expect(watch.next()).rejects.toMatchObject({ code: 'taskNotFound', retryable: false });
  });
});
