import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addToSeed, parseRunwareJson, photoMakerResultSchema, stringifyRunwareJson } from '../src/index.ts';

describe('lossless Runware JSON', () => {
  it('keeps a 2^63-1 seed exact in both directions', () => {
    const body =
      '{"data":[{"taskType":"photoMaker","taskUUID":"t","imageUUID":"i","seed":9223372036854775807}]}';
    const parsed = parseRunwareJson(body) as { data: [{ seed: string }] };
    expect(parsed.data[0].seed).toBe('9223372036854775807');
    expect(stringifyRunwareJson(parsed)).toBe(body);
  });

  it('plain JSON.parse would have lost it (why this exists)', () => {
    expect(String(JSON.parse('{"seed":9223372036854775807}').seed)).not.toBe('9223372036854775807');
  });

  it('writes bigint anywhere as an integer literal and leaves other strings quoted', () => {
    expect(stringifyRunwareJson({ seed: 12n, n: 2n ** 64n, prompt: '42' })).toBe(
      '{"seed":12,"n":18446744073709551616,"prompt":"42"}',
    );
  });

  it('only touches integer seeds', () => {
    expect(parseRunwareJson('{"seed":1.5,"other":9223372036854775807}')).toEqual({
      seed: 1.5,
      other: Number('9223372036854775807'),
    });
  });

  it('result items normalise any seed form to a decimal string', () => {
    const item = { taskType: 'photoMaker', taskUUID: 't', imageUUID: 'i' };
    expect(photoMakerResultSchema.parse({ ...item, seed: 42 }).seed).toBe('42');
    expect(photoMakerResultSchema.parse({ ...item, seed: '9223372036854775807' }).seed).toBe(
      '9223372036854775807',
    );
    expect(photoMakerResultSchema.safeParse({ ...item, seed: 'x' }).success).toBe(false);
  });

  it('adds result offsets to seeds without rounding', () => {
    expect(addToSeed('9223372036854775800', 7)).toBe('9223372036854775807');
    expect(addToSeed('9007199254740991', 2)).toBe('9007199254740993');
  });

  it('takes the fast path for safe integer seeds with the same result as the exact reviver', () => {
    // The reference: every seed literal's own text, as the reviver path keeps it.
    const exact = (text: string) =>
      (JSON.parse as (t: string, r: (k: string, v: unknown, c?: { source?: string }) => unknown) => unknown)(
        text,
        (key, value, context) =>
          key === 'seed' && typeof value === 'number' && /^-?[0-9]+$/.test(context?.source ?? '')
            ? context?.source
            : value,
      );
    const seed = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0));
    const task = fc.record({ taskType: fc.string(), seed, nested: fc.array(fc.record({ seed })) });
    fc.assert(
      fc.property(fc.array(task, { maxLength: 5 }), (tasks) => {
        const text = JSON.stringify(tasks);
        expect(parseRunwareJson(text)).toEqual(exact(text));
      }),
      { numRuns: 300 },
    );
  });

  it("parses a large body of numbers without the per-value reviver (the fuzz's 400k-element list)", () => {
    const text = JSON.stringify([{ taskType: 'photoMaker', seed: 7, inputImages: Array(400_000).fill(5) }]);
    const started = performance.now();
    const parsed = parseRunwareJson(text) as [{ seed: string; inputImages: number[] }];
    const ms = performance.now() - started;
    expect(parsed[0].seed).toBe('7');
    expect(parsed[0].inputImages).toHaveLength(400_000);
    // The reviver took ~340 ms here; the plain parse ~10 ms. Loose bound: this is a shared 2-core machine.
    expect(ms).toBeLessThan(150);
  });
});
