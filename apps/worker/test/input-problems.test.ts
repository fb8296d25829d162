import type { PhotoMakerJobInput } from '@photomaker/temporal';
import { describe, expect, it } from 'vitest';
import * as model from '../src/workflows/input-problems.ts';

describe('the workflow input check', () => {
  it('names each field of a malformed input and its rule', () => {
    const input = {
      jobId: '',
      tenant: 't',
      runwareTaskUUID: 'nope',
      createdAt: 'yesterday',
      cancelAt: 'in a minute',
      traceId: 'not-a-trace',
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
      'cancelAt must be an ISO-8601 timestamp',
      'traceId must be 32 lowercase hex digits',
      'task.numberResults must be an integer from 1 to 20',
      'task.width must be an integer from 128 to 2048',
      'task.outputFormat must be one of JPG, PNG, WEBP',
      'task.inputImages[0] must be a blob reference or a Runware imageUUID',
      'task.positivePrompt must be a string',
      'task.model must be a string',
    ]);
  });
});

describe('the limits it checks', () => {
  const valid = {
    jobId: 'job',
    tenant: 't',
    runwareTaskUUID: '00000000-0000-4000-8000-000000000000',
    createdAt: '2026-01-01T00:00:00Z',
    task: {
      numberResults: 20,
      width: 2048,
      height: 128,
      outputFormat: 'WEBP',
      seed: '9223372036854775807',
      inputImages: [{ kind: 'runware', imageUUID: '00000000-0000-4000-8000-000000000001' }],
      positivePrompt: 'a portrait',
      model: 'm',
    },
  };

  it('are the schema limits: their edges pass, one past them fails', () => {
    expect(model.inputProblems(valid as unknown as PhotoMakerJobInput)).toEqual([]);
    const traced = { ...valid, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' };
    expect(model.inputProblems(traced as unknown as PhotoMakerJobInput)).toEqual([]);
    const past = { ...valid, task: { ...valid.task, seed: '12345678901234567890', height: 2049 } };
    expect(model.inputProblems(past as unknown as PhotoMakerJobInput)).toEqual([
      'task.height must be an integer from 128 to 2048',
      'task.seed must be a decimal string',
    ]);
  });
});
