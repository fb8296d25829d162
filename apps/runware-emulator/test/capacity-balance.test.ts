import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../src/emulator.ts';
import { KEY, OTHER_KEY, startEmulator } from './helpers/emulator.ts';
import { dataUri, facePng, photoMakerTask } from './helpers/fixtures.ts';
import { admin, inspectTask, pollUntilDone, post } from './helpers/rest.ts';

let face: string;

beforeAll(async () => {
  face = dataUri(await facePng('a'));
});

describe('account balance', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ balance: 0.0006 });
  });
  afterAll(() => emulator.close());

  it('charges exactly the price of each generation and answers 402 once the balance is spent', async () => {
    // 256x256 x 20 steps = 0.0019 / 16 = 0.00011875 USD per image: 5 fit into 0.0006, a 6th does not.
    const big = { width: 256, height: 256, steps: 20, includeCost: true, deliveryMethod: 'async' };
    const first = photoMakerTask([face], { ...big, numberResults: 5 });
    expect((await post(emulator, [first])).status).toBe(200);
    const refused = photoMakerTask([face], big);
    const reply = await post(emulator, [refused]);
    expect(reply.status).toBe(402);
    expect(reply.body.errors?.[0]).toMatchObject({ code: 'insufficientCredits', taskUUID: refused.taskUUID });
    await pollUntilDone(emulator, String(first.taskUUID), 5);
    const { body } = await admin<{ balance: number; ledger: { charged: number; charges: number } }>(
      emulator,
      '/inspect',
    );
    expect(body.balance).toBe(0.00000625);
    expect(body.ledger).toMatchObject({ charged: 0.00059375, charges: 5 });
    expect((await admin(emulator, `/inspect/tasks/${refused.taskUUID}`)).status).toBe(404);
  });

  it('PUT /admin/balance tops up; the refused taskUUID can be sent again', async () => {
    const put = await admin(emulator, '/balance', 'PUT', { balance: 5 });
    expect(put.body).toEqual({ balance: 5 });
    const task = photoMakerTask([face], { width: 256, height: 256, steps: 20 });
    expect((await post(emulator, [task])).status).toBe(200);
    expect((await admin(emulator, '/balance')).body).toEqual({ balance: 4.99988125 });
    expect((await admin(emulator, '/balance', 'PUT', { balance: -1 })).status).toBe(400);
  });
});

describe('capacity per key', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    // Each image holds its slot for 300 ms.
    emulator = await startEmulator({
      latency: { imageMs: 300, parallelism: 4 },
      capacity: { maxConcurrentPerKey: 3 },
    });
  });
  afterAll(() => emulator.close());

  it('refuses work beyond the key capacity with 429 + Retry-After, charges nothing, other keys unaffected', async () => {
    await admin(emulator, '/faults', 'PUT', { retryAfterSeconds: 2 });
    const running = photoMakerTask([face], { numberResults: 2, deliveryMethod: 'async' });
    expect((await post(emulator, [running])).status).toBe(200);
    const over = photoMakerTask([face], { numberResults: 2, deliveryMethod: 'async' });
    const reply = await post(emulator, [over]);
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('2');
    expect(reply.body.errors?.[0]).toMatchObject({ code: 'rateLimitExceeded', taskUUID: over.taskUUID });
    expect((await admin(emulator, `/inspect/tasks/${over.taskUUID}`)).status).toBe(404);
    const otherKey = await post(
      emulator,
      [photoMakerTask([face], { numberResults: 2, deliveryMethod: 'async' })],
      {
        key: OTHER_KEY,
      },
    );
    expect(otherKey.status).toBe(200);
    await pollUntilDone(emulator, String(running.taskUUID), 2);
    // Capacity is free again: the refused taskUUID now runs, once.
    expect((await post(emulator, [over], { key: KEY })).status).toBe(200);
    await pollUntilDone(emulator, String(over.taskUUID), 2);
    expect(await inspectTask(emulator, String(over.taskUUID))).toMatchObject({ submissions: 1, charges: 2 });
  });

  it('can answer 503 instead', async () => {
    const other = await startEmulator({
      latency: { imageMs: 300 },
      capacity: { maxConcurrentPerKey: 1, status: 503 },
    });
    try {
      await post(other, [photoMakerTask([face], { deliveryMethod: 'async' })]);
      const reply = await post(other, [photoMakerTask([face], { deliveryMethod: 'async' })]);
      expect(reply.status).toBe(503);
      expect(reply.body.errors?.[0]?.code).toBe('serviceUnavailable');
      expect(reply.headers.get('retry-after')).toBe('1');
    } finally {
      await other.close();
    }
  });
});
