import { describe, expect, it } from 'vitest';
import { type SlotResultInput, slotResult } from '../src/generation/slot-result.ts';

const input = (task: Partial<SlotResultInput['task']> = {}, extra: Partial<SlotResultInput> = {}) => ({
  task: {
    taskType: 'photoMaker' as const,
    taskUUID: 't-1',
    outputType: 'URL' as const,
    includeCost: false,
    ...task,
  },
  image: { uuid: 'img-1', ext: 'png', bytes: Buffer.from('png!'), mediaType: 'image/png' },
  inputImageUUIDs: ['in-1', 'in-2'],
  seed: '42',
  flagged: undefined,
  costNano: 1_300_000,
  publicUrl: 'http://127.0.0.1:8787',
  ...extra,
});

describe('slotResult', () => {
  it('answers a URL task with the image URL, inputs and seed, and no NSFW field without a safety check', () => {
    expect(slotResult(input())).toEqual({
      taskType: 'photoMaker',
      taskUUID: 't-1',
      imageUUID: 'img-1',
      imageURL: 'http://127.0.0.1:8787/images/img-1.png',
      inputImagesUUID: ['in-1', 'in-2'],
      seed: '42',
    });
  });

  it('echoes the form the task came in', () => {
    expect(slotResult(input({ taskType: 'imageInference' })).taskType).toBe('imageInference');
  });

  it('carries the bytes for base64Data and dataURI tasks', () => {
    const base64 = slotResult(input({ outputType: 'base64Data' }));
    expect(base64.imageBase64Data).toBe(Buffer.from('png!').toString('base64'));
    expect(base64).not.toHaveProperty('imageURL');
    const dataUri = slotResult(input({ outputType: 'dataURI' }));
    expect(dataUri.imageDataURI).toBe(`data:image/png;base64,${Buffer.from('png!').toString('base64')}`);
  });

  it('reports the NSFW verdict when there is one, and the cost when asked', () => {
    const result = slotResult(input({ includeCost: true }, { flagged: false }));
    expect(result.NSFWContent).toBe(false);
    expect(result.cost).toBeCloseTo(0.0013, 10);
  });
});
