import { describe, expect, it } from 'vitest';
import { photoMakerParamsSchema, photoMakerTaskSchema, validateWith } from '../src/index.ts';
import { minimalTask } from './fixtures.ts';

const check = (extra: Record<string, unknown>) =>
  validateWith(photoMakerTaskSchema, { ...minimalTask(), ...extra });

describe('lora', () => {
  it('passes LoRAs through, weight defaulting to 1', () => {
    const result = check({ lora: [{ model: 'civitai:58390@62833', weight: 0.8 }, { model: 'civitai:1@2' }] });
    expect(result.ok && result.value.lora).toEqual([
      { model: 'civitai:58390@62833', weight: 0.8 },
      { model: 'civitai:1@2', weight: 1 },
    ]);
  });

  it.each([
    [-4, true],
    [4, true],
    [-4.01, false],
    [4.01, false],
    ['1', false],
  ])('weight %s -> ok=%s', (weight, ok) => {
    const result = check({ lora: [{ model: 'civitai:1@1', weight }] });
    expect(result.ok).toBe(ok);
  });

  it('names the LoRA at fault by its path and the rule with its limits', () => {
    const result = check({ lora: [{ model: 'civitai:1@1' }, { model: 'civitai:2@2', weight: 9 }] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        expect.objectContaining({ code: 'invalidLoraWeight', parameter: 'lora.weight', min: -4, max: 4 }),
      ]);
      expect(result.errors[0]?.message).toBe(
        "Invalid value for 'lora.weight': it must be a number from -4 to 4. (at lora[1].weight)",
      );
    }
  });

  it('requires each LoRA to name its model by AIR', () => {
    const missing = check({ lora: [{ weight: 1 }] });
    expect(missing.ok ? [] : missing.errors.map((e) => e.code)).toEqual(['missingLoraModel']);
    const bad = check({ lora: [{ model: 'my-lora' }] });
    expect(bad.ok ? [] : bad.errors.map((e) => e.parameter)).toEqual(['lora.model']);
  });
});

describe('acceleratorOptions', () => {
  it('passes documented options through and drops unknown ones', () => {
    const options = { deepCache: true, deepCacheInterval: 3, cacheStartStepPercentage: 10, speed: 'max' };
    const result = check({ acceleratorOptions: options });
    expect(result.ok && result.value.acceleratorOptions).toEqual({
      deepCache: true,
      deepCacheInterval: 3,
      cacheStartStepPercentage: 10,
    });
  });

  it.each([
    [{ teaCacheDistance: 1.5 }, 'acceleratorOptions.teaCacheDistance'],
    [{ deepCacheInterval: 0 }, 'acceleratorOptions.deepCacheInterval'],
    [{ cacheEndStepPercentage: 101 }, 'acceleratorOptions.cacheEndStepPercentage'],
    [{ cacheStartStep: -1 }, 'acceleratorOptions.cacheStartStep'],
    [{ teaCache: 'yes' }, 'acceleratorOptions.teaCache'],
  ])('%j -> names %s', (options, parameter) => {
    const result = check({ acceleratorOptions: options });
    expect(result.ok ? [] : result.errors.map((e) => e.parameter)).toEqual([parameter]);
  });
});

describe('the GraphQL params carry the same options', () => {
  it('accepts lora, vae, promptWeighting and acceleratorOptions without taskType', () => {
    const { taskType: _t, taskUUID: _u, ...params } = minimalTask();
    const parsed = photoMakerParamsSchema.safeParse({
      ...params,
      lora: [{ model: 'civitai:1@1', weight: -1 }],
      vae: 'civitai:101055@128078',
      promptWeighting: 'compel',
      acceleratorOptions: { teaCache: true, teaCacheDistance: 0.4 },
    });
    expect(parsed.success).toBe(true);
  });
});
