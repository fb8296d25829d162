import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunwareClient } from '../src/client.ts';
import { RunwareApiError, RunwareDeadlineError, RunwareTransportError } from '../src/errors.ts';
import { EMULATOR_KEY, Emulator, referencePng } from './support/emulator.ts';

// Each fault the emulator injects must reach the client as the right class. Faults match one taskUUID,
// so tests never see each other's faults.
let emulator: Emulator;
let client: RunwareClient;
let reference: string;

const base = (taskUUID: string, extra: Record<string, unknown> = {}) => ({
  taskUUID,
  inputImages: [reference],
  positivePrompt: 'portrait photo, soft light',
  model: 'civitai:139562@344487',
  width: 256,
  height: 256,
  steps: 4,
  ...extra,
});

const fault = (taskUUID: string, spec: Record<string, unknown>, count = 1) => ({
  match: { taskUUID },
  count,
  fault: spec,
});

beforeAll(async () => {
  emulator = await Emulator.start();
  client = new RunwareClient({
    baseUrl: emulator.restUrl,
    apiKey: EMULATOR_KEY,
    retry: { retries: 2, minDelayMs: 10, maxDelayMs: 50 },
    poll: { initialDelayMs: 20, maxDelayMs: 100 },
  });
  reference = await referencePng();
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
});

describe('injected Runware errors, per status and code', () => {
  const cases: [number, string, string, boolean, number | undefined][] = [
    [429, 'rateLimitExceeded', 'rateLimit', true, 2_000],
    [503, 'serviceUnavailable', 'serverError', true, 2_000],
    [504, 'timeout', 'timeout', true, undefined],
    [500, 'internalServerError', 'serverError', true, undefined],
    [502, 'providerUnavailable', 'provider', true, undefined],
    [402, 'insufficientCredits', 'quota', false, undefined],
    [403, 'forbidden', 'auth', false, undefined],
    [400, 'contentPolicyViolation', 'safety', false, undefined],
  ];
  it.each(cases)(
    'HTTP %s %s -> %s, retryable %s',
    async (status, code, category, retryable, retryAfterMs) => {
      const taskUUID = randomUUID();
      await emulator.script(
        fault(taskUUID, { kind: 'error', status, code, ...(retryAfterMs ? { retryAfterSeconds: 2 } : {}) }),
      );
      const error = await client.photoMaker(base(taskUUID), { retry: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunwareApiError);
      expect(error).toMatchObject({ status, code, category, retryable, retryAfterMs, taskUUID });
      await expect(emulator.task(taskUUID)).rejects.toThrow(/404/); // refused: nothing ran, nothing paid
    },
  );

  it('a retryable error is retried with the same taskUUID after Retry-After, and paid once', async () => {
    const taskUUID = randomUUID();
    await emulator.script(
      fault(taskUUID, { kind: 'error', status: 429, code: 'rateLimitExceeded', retryAfterSeconds: 1 }),
    );
    const delays: number[] = [];
    const results = await client.photoMaker(base(taskUUID), {
      onRetry: (event) => delays.push(event.delayMs),
    });
    expect(results).toHaveLength(1);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(1_000);
    expect(await emulator.task(taskUUID)).toMatchObject({ submissions: 1, charges: 1 });
  });

  it('an error rate of 100% for a task exhausts the retries with a retryable error', async () => {
    const taskUUID = randomUUID();
    const before = (await emulator.inspect()).faultsInjected.error ?? 0;
    await emulator.faults({
      rates: [
        {
          match: { taskUUID },
          probability: 1,
          fault: { kind: 'error', status: 503, code: 'serviceUnavailable', retryAfterSeconds: 0 },
        },
      ],
    });
    try {
      const error = await client.photoMaker(base(taskUUID)).catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'RunwareApiError',
        status: 503,
        retryable: true,
        category: 'serverError',
      });
      expect((await emulator.inspect()).faultsInjected.error).toBe(before + 3);
    } finally {
      await emulator.faults({ rates: [] });
    }
  });
});

describe('connection resets', () => {
  it('before work: a retryable transport error and nothing accepted', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'reset', when: 'beforeWork' }));
    const error = await client.photoMaker(base(taskUUID), { retry: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareTransportError);
    expect(error).toMatchObject({ category: 'network', code: 'connectionReset', retryable: true });
    await expect(emulator.task(taskUUID)).rejects.toThrow(/404/);
  });

  it('after accept: the task ran; re-sending the same taskUUID is "already accepted" and paid once', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'reset', when: 'afterAccept' }));
    const error = await client.photoMaker(base(taskUUID), { retry: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RunwareTransportError', retryable: true });
    const again = await client.photoMaker(base(taskUUID)).catch((e: unknown) => e);
    expect(again).toMatchObject({
      name: 'RunwareApiError',
      code: 'conflictTaskUUID',
      alreadyAccepted: true,
      retryable: false,
    });
    const results = await client.waitForResults(taskUUID, { numberResults: 1 });
    expect(results).toHaveLength(1);
    expect(await emulator.settled(taskUUID)).toMatchObject({ submissions: 2, generations: 1, charges: 1 });
  });

  it.each([
    ['sync', 'midBody'],
    ['sync', 'afterAccept'],
    ['async', 'afterAccept'],
  ] as const)(
    'an interrupted %s request (reset %s) re-sent with the same taskUUID ends with exactly one charge per image',
    async (mode, when) => {
      const taskUUID = randomUUID();
      await emulator.script(fault(taskUUID, { kind: 'reset', when }));
      const retries: string[] = [];
      const run = await client.runPhotoMaker(base(taskUUID, { numberResults: 2 }), {
        mode,
        onRetry: (event) => retries.push(event.error.code),
      });
      expect(retries).toEqual(['connectionReset']);
      expect(run).toMatchObject({ taskUUID, alreadyAccepted: true, via: 'getResponse' });
      expect(new Set(run.results.map((r) => r.imageUUID)).size).toBe(2);
      const record = await emulator.settled(taskUUID);
      expect(record).toMatchObject({ submissions: 2, generations: 2, charges: 2 });
      expect(run.results.map((r) => r.imageUUID)).toEqual(record.images.map((image) => image.imageUUID));
    },
  );
});

describe('slow bodies', () => {
  it('a body that stalls longer than bodyTimeout is a retryable timeout', async () => {
    const impatient = new RunwareClient({
      baseUrl: emulator.restUrl,
      apiKey: EMULATOR_KEY,
      retry: false,
      bodyTimeoutMs: 200,
    });
    const taskUUID = randomUUID();
    // 8 chunks, one per second.
    await emulator.script(fault(taskUUID, { kind: 'slowBody', ms: 8_000 }));
    const error = await impatient.photoMaker(base(taskUUID)).catch((e: unknown) => e);
    await impatient.close();
    expect(error).toBeInstanceOf(RunwareTransportError);
    expect(error).toMatchObject({ code: 'bodyTimeout', category: 'timeout', retryable: true, taskUUID });
  });

  it('a body that keeps trickling completes within the default timeouts', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'slowBody', ms: 600 }));
    const results = await client.photoMaker(
      base(taskUUID, { outputType: 'base64Data', outputFormat: 'PNG' }),
    );
    // The whole PNG arrived: it decodes and starts with the PNG signature.
    expect(Buffer.from(results[0]?.imageBase64Data ?? '', 'base64').subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
  });

  it('the overall request timeout still bounds a trickling body', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'slowBody', ms: 4_000 }));
    const error = await client
      .photoMaker(base(taskUUID), { retry: false, timeoutMs: 300 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'RunwareTransportError',
      code: 'requestTimeout',
      category: 'timeout',
      retryable: true,
    });
  });
});

describe('duplicates and stuck results', () => {
  it('duplicated result items are reported once', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'duplicateFrames', copies: 2 }));
    const seen: string[] = [];
    const results = await client.photoMaker(base(taskUUID, { numberResults: 2 }), {
      onResult: (r) => seen.push(r.imageUUID),
    });
    expect(results).toHaveLength(2);
    expect(seen).toEqual(results.map((r) => r.imageUUID));
    expect(new Set(seen).size).toBe(2);
  });

  it('results stuck in processing for N polls: polling carries on until they show', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'stuck', polls: 5 }));
    const processing: number[] = [];
    const run = await client.runPhotoMaker(base(taskUUID), {
      mode: 'async',
      onSnapshot: (snapshot) => processing.push(snapshot.processing),
    });
    expect(run.results).toHaveLength(1);
    expect(processing.slice(0, 5)).toEqual([1, 1, 1, 1, 1]);
    expect((await emulator.task(taskUUID)).polls).toBe(6);
  });

  it('stuck past the deadline: a retryable deadline error; polling again later succeeds', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'stuck', polls: 30 })); // 30 polls cannot fit in 150 ms at 10 ms apart
    await client.submit(base(taskUUID));
    const error = await client
      .waitForResults(taskUUID, {
        numberResults: 1,
        deadlineMs: 150,
        poll: { initialDelayMs: 10, maxDelayMs: 10 },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunwareDeadlineError);
    expect(error).toMatchObject({ code: 'pollDeadlineExceeded', retryable: true, category: 'timeout' });
    const results = await client.waitForResults(taskUUID, {
      numberResults: 1,
      poll: { initialDelayMs: 10, maxDelayMs: 10 },
    });
    expect(results).toHaveLength(1);
  });
});

describe('failed generations', () => {
  it('sync: finished images first, then the error; failed ones are not charged', async () => {
    const taskUUID = randomUUID();
    await emulator.script(fault(taskUUID, { kind: 'generationError', code: 'inferenceError', images: [1] }));
    const seen: string[] = [];
    const error = await client
      .photoMaker(base(taskUUID, { numberResults: 3 }), { onResult: (r) => seen.push(r.imageUUID) })
      .catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error).toMatchObject({
      code: 'inferenceError',
      category: 'provider',
      generationFailed: true,
      retryable: true,
    });
    expect((error as RunwareApiError).results.map((r) => r.imageUUID)).toEqual(seen);
    expect(await emulator.task(taskUUID)).toMatchObject({ submissions: 1, charges: 2 });
  });

  it('async: a safety failure is final (not retryable), after the good images were reported', async () => {
    const taskUUID = randomUUID();
    await emulator.script(
      fault(taskUUID, { kind: 'generationError', code: 'nsfwContentDetected', images: [0] }),
    );
    const seen: string[] = [];
    const error = await client
      .runPhotoMaker(base(taskUUID, { numberResults: 2 }), {
        mode: 'async',
        onResult: (r) => seen.push(r.imageUUID),
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'RunwareApiError',
      code: 'nsfwContentDetected',
      category: 'safety',
      retryable: false,
      generationFailed: true,
    });
    expect(seen).toHaveLength(1);
    expect((await emulator.task(taskUUID)).submissions).toBe(1);
  });
});
