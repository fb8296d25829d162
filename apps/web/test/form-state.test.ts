import { LIMITS, photoMakerParamsSchema, STYLE_ENUM, validateWith } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import { INITIAL_FORM, randomSeed, toInput, validateForm } from '../src/form/form-state.ts';
import type { ReferencePhoto } from '../src/form/reference-photos.ts';
import { SIZE_PRESETS } from '../src/form/size-presets.ts';

const photo = (n: number, patch: Partial<ReferencePhoto> = {}): ReferencePhoto => ({
  key: `k${n}`,
  name: `face-${n}.png`,
  size: 1000,
  status: 'ready',
  remoteId: `1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4b${String(n).padStart(2, '0')}`,
  ...patch,
});

const valid = { ...INITIAL_FORM, positivePrompt: 'a portrait of a woman rwre in a garden' };

describe('validateForm: the schema package rules and messages, per field', () => {
  it('accepts the defaults with a prompt and one photo', () => {
    expect(validateForm(valid, [photo(1)])).toEqual({});
  });

  it('names the field and the rule for each bad value, in the words the API uses', () => {
    const errors = validateForm(
      { ...valid, width: '1000', numberResults: '0', steps: '101', seed: '0', positivePrompt: 'a' },
      [photo(1)],
    );
    expect(errors).toEqual({
      width: "Invalid value for 'width': it must be an integer from 128 to 2048, divisible by 64.",
      numberResults: "Invalid value for 'numberResults': it must be an integer from 1 to 20.",
      steps: "Invalid value for 'steps': it must be an integer from 1 to 100.",
      seed: expect.stringContaining(
        "Invalid value for 'seed': it must be an integer from 1 to 9223372036854775807",
      ),
      positivePrompt: "Invalid value for 'positivePrompt': it must be a string of 2 to 300 characters.",
    });
  });

  it('matches the server-side schema exactly (same converter, same text)', () => {
    const server = validateWith(photoMakerParamsSchema, {
      inputImages: [photo(1).remoteId],
      positivePrompt: valid.positivePrompt,
      width: 1000,
      height: 1024,
      model: valid.model,
    });
    expect(server.ok).toBe(false);
    const serverWidth = server.ok ? undefined : server.errors.find((e) => e.parameter === 'width')?.message;
    expect(validateForm({ ...valid, width: '1000' }, [photo(1)]).width).toBe(serverWidth);
  });

  it('requires 1 to 4 photos and refuses failed ones', () => {
    expect(validateForm(valid, []).inputImages).toContain("'inputImages'");
    expect(
      validateForm(
        valid,
        [1, 2, 3, 4, 5].map((n) => photo(n)),
      ).inputImages,
    ).toContain('1 to 4 images');
    expect(validateForm(valid, [photo(1), photo(2, { status: 'failed', error: 'x' })]).inputImages).toBe(
      'Remove the photos that could not be used (marked in red).',
    );
  });

  it('counts photos still uploading as photos (the count rule), not as errors', () => {
    // Still uploading: no remote id yet.
    const { remoteId: _none, ...uploading } = photo(1, { status: 'uploading' });
    expect(validateForm(valid, [uploading])).toEqual({});
  });

  it('checks the advanced fields too', () => {
    const errors = validateForm(
      {
        ...valid,
        CFGScale: '51',
        clipSkip: '3',
        outputQuality: '10',
        webhookURL: 'ftp://x',
        model: 'sdxl',
        cancelAfter: '25h',
      },
      [photo(1)],
    );
    expect(Object.keys(errors).sort()).toEqual([
      'CFGScale',
      'cancelAfter',
      'clipSkip',
      'model',
      'outputQuality',
      'webhookURL',
    ]);
  });

  it('takes a cancelAfter duration or time with an offset; empty is none', () => {
    for (const cancelAfter of ['', '90s', '10m', new Date(Date.now() + 3_600_000).toISOString()])
      expect(validateForm({ ...valid, cancelAfter }, [photo(1)])).toEqual({});
    expect(validateForm({ ...valid, cancelAfter: 'soon' }, [photo(1)]).cancelAfter).toContain(
      "'cancelAfter'",
    );
  });

  it('treats an empty number as invalid, not as zero', () => {
    expect(validateForm({ ...valid, height: '' }, [photo(1)]).height).toContain("'height'");
  });
});

describe('toInput: the GraphQL PhotoMakerInput', () => {
  it('sends the uploaded ids, enum style, numbers as numbers and leaves empty optionals out', () => {
    const input = toInput({ ...valid, seed: '9223372036854775807', safetyMode: 'FAST' }, [
      photo(1),
      photo(2),
    ]);
    expect(input).toEqual({
      inputImages: [photo(1).remoteId, photo(2).remoteId],
      positivePrompt: valid.positivePrompt,
      style: 'PHOTOGRAPHIC',
      strength: 20,
      width: 896,
      height: 1152,
      model: valid.model,
      steps: 20,
      CFGScale: 7,
      numberResults: 2,
      outputFormat: 'JPG',
      outputQuality: 95,
      includeCost: true,
      seed: '9223372036854775807',
      safety: { mode: 'FAST' },
    });
    expect(STYLE_ENUM[input.style as keyof typeof STYLE_ENUM]).toBe('Photographic');
  });

  it('sends cancelAfter as typed (the API resolves it), only when set', () => {
    expect(toInput({ ...valid, cancelAfter: ' 10m ' }, [photo(1)]).cancelAfter).toBe('10m');
    expect('cancelAfter' in toInput(valid, [photo(1)])).toBe(false);
  });

  it('sends a chosen priority, and none for the default (the API applies the key’s own)', () => {
    expect(toInput({ ...valid, priority: 'HIGH' }, [photo(1)]).priority).toBe('HIGH');
    expect('priority' in toInput(valid, [photo(1)])).toBe(false);
  });
});

describe('size presets and seeds', () => {
  it('every preset satisfies the width/height rules', () => {
    for (const preset of SIZE_PRESETS) {
      for (const side of [preset.width, preset.height]) {
        expect(side % LIMITS.width.multipleOf).toBe(0);
        expect(side).toBeGreaterThanOrEqual(LIMITS.width.min);
        expect(side).toBeLessThanOrEqual(LIMITS.width.max);
      }
    }
  });

  it('random seeds are in Runware range and pass the seed rule', () => {
    for (let i = 0; i < 200; i++) {
      const seed = randomSeed();
      expect(validateForm({ ...valid, seed }, [photo(1)]).seed).toBeUndefined();
    }
  });
});
