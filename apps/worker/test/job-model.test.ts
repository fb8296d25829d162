import { addToSeed, JOB_STAGES, statusForStage } from '@photomaker/schema';
import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { describe, expect, it } from 'vitest';
import * as model from '../src/workflows/job-model.ts';

describe('the zod-free job model the workflow uses', () => {
  it('agrees with @photomaker/schema', () => {
    for (const stage of JOB_STAGES) expect(model.statusForStage(stage)).toBe(statusForStage(stage));
    for (const [seed, offset] of [
      ['1', 0],
      ['9007199254740993', 19],
      ['9223372036854775806', 1],
    ] as const) {
      expect(model.addToSeed(seed, offset)).toBe(addToSeed(seed, offset));
    }
  });

  it('names each field of a malformed input and its rule', () => {
    const input = {
      jobId: '',
      tenant: 't',
      runwareTaskUUID: 'nope',
      createdAt: 'yesterday',
      task: {
        numberResults: 21,
        width: 100,
        height: 128,
        outputFormat: 'GIF',
        inputImages: [{ kind: 'blob' }],
      },
    } as unknown as PhotoMakerJobInput;
    expect(model.inputProblems(input)).toEqual([
      'jobId must be a non-empty string',
      'runwareTaskUUID must be a UUID',
      'createdAt must be an ISO-8601 timestamp',
      'task.numberResults must be an integer from 1 to 20',
      'task.width must be an integer from 128 to 2048',
      'task.outputFormat must be one of JPG, PNG, WEBP',
      'task.inputImages[0] must be a blob reference or a Runware imageUUID',
      'task.positivePrompt must be a string',
      'task.model must be a string',
    ]);
  });
});
