import { describe, expect, it } from 'vitest';
import type { Fault } from '../src/faults/fault-config.ts';
import { resolveFaults } from '../src/faults/resolve-faults.ts';

const defaults = { retryAfterSeconds: 2, slowBodyMs: 1_500, stuckPolls: 3 };

describe('resolveFaults', () => {
  it('is empty for no faults', () => {
    expect(resolveFaults([], defaults)).toEqual({});
  });

  it('fills in the defaults a fault leaves out', () => {
    const faults: Fault[] = [
      { kind: 'error', status: 503, code: 'serviceUnavailable' },
      { kind: 'reset' },
      { kind: 'slowBody' },
      { kind: 'duplicateFrames' },
      { kind: 'stuck' },
      { kind: 'generationError' },
      { kind: 'webhook' },
    ];
    expect(resolveFaults(faults, defaults)).toEqual({
      error: {
        status: 503,
        code: 'serviceUnavailable',
        message: 'Injected fault: serviceUnavailable (HTTP 503).',
        retryAfterSeconds: 2,
      },
      reset: 'beforeWork',
      slowBodyMs: 1_500,
      duplicates: 1,
      stuckPolls: 3,
      generationError: {
        code: 'inferenceError',
        message: 'Injected fault: the generation failed on the inference server.',
      },
      webhook: { delayMs: 0, drop: false, failAttempts: 0 },
    });
  });

  it('gives Retry-After to 429 and 503 always, to other errors only when the fault names it', () => {
    const plain = resolveFaults([{ kind: 'error', status: 504, code: 'timeout', message: 'slow' }], defaults);
    expect(plain.error).toEqual({ status: 504, code: 'timeout', message: 'slow' });
    const named = resolveFaults([{ kind: 'error', status: 500, code: 'x', retryAfterSeconds: 0 }], defaults);
    expect(named.error?.retryAfterSeconds).toBe(0);
    const limited = resolveFaults(
      [{ kind: 'error', status: 429, code: 'y', retryAfterSeconds: 9 }],
      defaults,
    );
    expect(limited.error?.retryAfterSeconds).toBe(9);
  });

  it('keeps the first error, reset and generation error, the largest counts, and the last webhook fault', () => {
    const faults: Fault[] = [
      { kind: 'error', status: 500, code: 'first' },
      { kind: 'error', status: 503, code: 'second' },
      { kind: 'reset', when: 'midBody' },
      { kind: 'reset', when: 'afterAccept' },
      { kind: 'slowBody', ms: 10 },
      { kind: 'slowBody', ms: 5 },
      { kind: 'duplicateFrames', copies: 2 },
      { kind: 'duplicateFrames', copies: 4 },
      { kind: 'stuck', polls: 7 },
      { kind: 'stuck', polls: 1 },
      { kind: 'generationError', code: 'a', images: [1] },
      { kind: 'generationError', code: 'b' },
      { kind: 'webhook', drop: true },
      { kind: 'webhook', delayMs: 30, failAttempts: 2 },
    ];
    expect(resolveFaults(faults, defaults)).toMatchObject({
      error: { status: 500, code: 'first' },
      reset: 'midBody',
      slowBodyMs: 10,
      duplicates: 4,
      stuckPolls: 7,
      generationError: { code: 'a', images: [1] },
      webhook: { delayMs: 30, drop: false, failAttempts: 2 },
    });
  });
});
