import { describe, expect, it } from 'vitest';
import {
  imageInferenceTaskSchema,
  photoMakerTaskSchema,
  toNestedPhotoMaker,
  validateTask,
  validateWith,
} from '../src/index.ts';
import { IMAGE_UUID, JPEG_DATA_URI, minimalTask, PNG_DATA_URI } from './fixtures.ts';

/** The minimal task of fixtures.ts in Runware's nested form. */
function nestedTask(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { inputImages, taskType: _taskType, ...rest } = minimalTask();
  return { ...rest, taskType: 'imageInference', photoMaker: { images: inputImages }, ...extra };
}

const standalone = (extra: Record<string, unknown> = {}) =>
  photoMakerTaskSchema.parse({ ...minimalTask(), ...extra });

describe('imageInference with a nested photoMaker', () => {
  it('parses to the standalone parameters under its own taskType', () => {
    const result = validateTask(
      nestedTask({ photoMaker: { images: [PNG_DATA_URI], style: 'Cinematic', strength: 30 } }),
    );
    expect(result.ok).toBe(true);
    const { taskType: _taskType, ...same } = standalone({ style: 'Cinematic', strength: 30 });
    expect(result.ok && result.value).toEqual({ ...same, taskType: 'imageInference' });
  });

  it.each([
    ['inputs.referenceImages', { inputs: { referenceImages: [PNG_DATA_URI, IMAGE_UUID] } }],
    ['referenceImages', { referenceImages: [PNG_DATA_URI, IMAGE_UUID] }],
  ])('takes the images from %s', (_where, media) => {
    const result = validateTask(nestedTask({ photoMaker: { style: 'Photographic' }, ...media }));
    expect(result.ok && result.value.taskType === 'imageInference' && result.value.inputImages).toEqual([
      PNG_DATA_URI,
      IMAGE_UUID.toLowerCase(),
    ]);
  });

  it('refuses images given in two places, naming the second', () => {
    const result = validateTask(nestedTask({ inputs: { referenceImages: [JPEG_DATA_URI] } }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        expect.objectContaining({
          code: 'invalidInputsReferenceImages',
          parameter: 'inputs.referenceImages',
        }),
      ]);
      expect(result.errors[0]?.message).toContain('given once');
    }
  });

  it('refuses a photoMaker object without images anywhere', () => {
    const result = validateTask(nestedTask({ photoMaker: { style: 'Cinematic' } }));
    expect(result.ok ? [] : result.errors.map((e) => [e.code, e.parameter])).toEqual([
      ['missingPhotoMakerImages', 'photoMaker.images'],
    ]);
  });

  it('refuses an imageInference task without photoMaker, saying this platform runs PhotoMaker jobs', () => {
    const { photoMaker: _photoMaker, ...plain } = nestedTask();
    const result = validateTask({ ...plain, inputs: { referenceImages: [PNG_DATA_URI] } });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toEqual([
        expect.objectContaining({
          code: 'missingPhotoMaker',
          parameter: 'photoMaker',
          taskType: 'imageInference',
          taskUUID: minimalTask().taskUUID,
        }),
      ]);
      expect(result.errors[0]?.message).toContain('this platform runs PhotoMaker jobs');
    }
  });

  it('applies the standalone limits, naming the path the client sent', () => {
    const images = [PNG_DATA_URI, PNG_DATA_URI, 'ftp://example.com/face.png'];
    const result = validateTask(nestedTask({ photoMaker: { images, strength: 51, style: 'Disney' } }));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.parameter)).toEqual([
        'photoMaker.images',
        'photoMaker.style',
        'photoMaker.strength',
      ]);
      expect(result.errors[0]?.message).toContain(
        '(photoMaker.images[2] is a URL with an unsupported scheme',
      );
      expect(result.errors[2]).toMatchObject({ code: 'invalidPhotoMakerStrength', min: 15, max: 50 });
    }
  });

  it('counts images against the same maximum as the standalone task', () => {
    const five = Array.from({ length: 5 }, () => PNG_DATA_URI);
    const nested = validateTask(nestedTask({ inputs: { referenceImages: five }, photoMaker: {} }));
    const flat = validateWith(photoMakerTaskSchema, { ...minimalTask(), inputImages: five });
    expect(nested.ok ? undefined : nested.errors[0]).toMatchObject({
      parameter: 'inputs.referenceImages',
      max: 4,
    });
    expect(flat.ok ? undefined : flat.errors[0]).toMatchObject({ parameter: 'inputImages', max: 4 });
  });

  it('carries the SDXL options of the standalone task', () => {
    const result = validateTask(nestedTask({ lora: [{ model: 'civitai:1@1', weight: 5 }] }));
    expect(result.ok ? [] : result.errors.map((e) => e.parameter)).toEqual(['lora.weight']);
  });
});

describe('toNestedPhotoMaker', () => {
  it('rearranges a standalone task into the nested form that parses back to it', () => {
    const task = standalone({
      style: 'Neonpunk',
      strength: 40,
      lora: [{ model: 'civitai:1@1', weight: 0.5 }],
    });
    const nested = toNestedPhotoMaker(task);
    expect(nested).not.toHaveProperty('inputImages');
    expect(nested.photoMaker).toEqual({ images: task.inputImages, style: 'Neonpunk', strength: 40 });
    const { taskType: _taskType, ...params } = task;
    expect(imageInferenceTaskSchema.parse(nested)).toEqual({ ...params, taskType: 'imageInference' });
  });
});
