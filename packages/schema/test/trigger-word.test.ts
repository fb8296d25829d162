import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyTriggerWord, hasTriggerWord, normalizePhotoMaker, photoMakerTaskSchema } from '../src/index.ts';
import { minimalTask } from './fixtures.ts';

describe('rwre trigger word', () => {
  it.each([
    ['wearing a suit, professional photo', 'rwre, wearing a suit, professional photo'],
    ['wearing a suit, rwre, professional photo', 'wearing a suit, rwre, professional photo'],
    ['rwre portrait', 'rwre portrait'],
    ['portrait of RWRE', 'portrait of RWRE'],
    ['a rwrestler in the ring', 'rwre, a rwrestler in the ring'],
    ['xrwre', 'rwre, xrwre'],
  ])('%j -> %j', (prompt, expected) => {
    expect(applyTriggerWord(prompt)).toBe(expected);
  });

  it('is idempotent and always leaves the word in the prompt', () => {
    fc.assert(
      fc.property(fc.string(), (prompt) => {
        const once = applyTriggerWord(prompt);
        expect(hasTriggerWord(once)).toBe(true);
        expect(applyTriggerWord(once)).toBe(once);
        expect(once.endsWith(prompt)).toBe(true);
      }),
    );
  });

  it('normalizePhotoMaker applies it to the validated task', () => {
    const task = normalizePhotoMaker(photoMakerTaskSchema.parse(minimalTask()));
    expect(task.positivePrompt).toBe('rwre, wearing a suit, professional photo');
  });
});
