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
});
