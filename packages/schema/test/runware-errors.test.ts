import { describe, expect, it } from 'vitest';
import { classifyRunwareError, httpStatusFor, validateTask } from '../src/index.ts';
import { minimalTask, PNG_DATA_URI, TASK_UUID } from './fixtures.ts';

describe('error classification', () => {
  it.each([
    ['invalidStrength', 400, 'validation', false],
    ['missingPositivePrompt', 400, 'validation', false],
    ['unsupportedTaskType', 400, 'validation', false],
    ['conflictTaskUUID', 400, 'conflict', false],
    ['invalidApiKey', 401, 'auth', false],
    ['missingApiKey', 401, 'auth', false],
    ['insufficientCredits', 402, 'quota', false],
    ['rateLimitExceeded', 429, 'rateLimit', true],
    ['nsfwContentDetected', 400, 'safety', false],
    ['contentPolicyViolation', 400, 'safety', false],
    ['providerError', 503, 'provider', true],
    ['noAvailableServer', 503, 'provider', true],
    ['timeoutProvider', 504, 'timeout', true],
    ['taskNotFound', 404, 'notFound', false],
    ['internalServerError', 500, 'serverError', true],
    ['serviceUnavailable', 503, 'serverError', true],
  ] as const)('%s (%i) -> %s, retryable=%s', (code, status, category, retryable) => {
    expect(classifyRunwareError({ code, status })).toEqual({ category, retryable });
  });

  it.each([
    [408, 'timeout', true],
    [429, 'rateLimit', true],
    [500, 'serverError', true],
    [502, 'serverError', true],
    [503, 'serverError', true],
    [504, 'timeout', true],
    [400, 'validation', false],
    [401, 'auth', false],
    [402, 'quota', false],
    [403, 'auth', false],
  ] as const)('unknown code with HTTP %i -> %s', (status, category, retryable) => {
    expect(classifyRunwareError({ code: 'somethingNew', status })).toEqual({ category, retryable });
  });

  it.each([
    ['inferenceError', 'inputImages', 'inputImages[1] could not be decoded'],
    ['processingFailed', 'image', 'Invalid value for image: unsupported image format'],
    ['providerError', undefined, 'The reference image in inputImages[0] is truncated'],
    ['invalidImageData', ['inputImages'], 'bad bytes'],
  ] as const)(
    '%s on a reference image that does not decode -> validation, not retried',
    (code, parameter, message) => {
      expect(classifyRunwareError({ code, status: 503, parameter, message })).toEqual({
        category: 'validation',
        retryable: false,
      });
    },
  );

  it('keeps transient errors about images retryable, and decode words about other things', () => {
    expect(
      classifyRunwareError({ code: 'downloadFailed', parameter: 'inputImages', message: 'timed out' }),
    ).toEqual({ category: 'provider', retryable: true });
    expect(
      classifyRunwareError({ code: 'inferenceError', message: 'could not decode the model response' }),
    ).toEqual({ category: 'provider', retryable: true });
  });

  it('maps categories back to the documented statuses', () => {
    expect(httpStatusFor('validation')).toBe(400);
    expect(httpStatusFor('auth')).toBe(401);
    expect(httpStatusFor('quota')).toBe(402);
    expect(httpStatusFor('rateLimit')).toBe(429);
    expect(httpStatusFor('timeout')).toBe(504);
    expect(httpStatusFor('serverError')).toBe(503);
  });

  it('a cancelled task is final and answered 409, not a 5xx an SDK would retry', () => {
    expect(classifyRunwareError({ code: 'taskCancelled' })).toEqual({
      category: 'cancelled',
      retryable: false,
    });
    expect(httpStatusFor('cancelled')).toBe(409);
  });
});

describe('validateTask dispatches on taskType', () => {
  it('accepts each supported task', () => {
    expect(validateTask({ taskType: 'authentication', apiKey: 'k' }).ok).toBe(true);
    expect(validateTask({ taskType: 'ping', ping: true }).ok).toBe(true);
    expect(validateTask({ taskType: 'imageUpload', taskUUID: TASK_UUID, image: PNG_DATA_URI }).ok).toBe(true);
    expect(validateTask({ taskType: 'getResponse', taskUUID: TASK_UUID }).ok).toBe(true);
    expect(validateTask(minimalTask()).ok).toBe(true);
  });

  it('carries taskType and taskUUID on each error', () => {
    const result = validateTask({ ...minimalTask(), strength: 99 });
    expect(result.ok ? [] : result.errors).toEqual([
      expect.objectContaining({ code: 'invalidStrength', taskType: 'photoMaker', taskUUID: TASK_UUID }),
    ]);
  });

  it.each([
    [null, 'invalidTaskFormat'],
    [[1, 2], 'invalidTaskFormat'],
    [{}, 'missingTaskType'],
    [{ taskType: 'videoInference' }, 'unsupportedTaskType'],
    [{ taskType: 'imageUpload', taskUUID: TASK_UUID, image: TASK_UUID }, 'invalidImage'],
    [{ taskType: 'authentication', apiKey: '' }, 'invalidApiKey'],
    [{ taskType: 'getResponse' }, 'missingTaskUUID'],
  ])('%j -> %s', (input, code) => {
    const result = validateTask(input);
    expect(result.ok ? undefined : result.errors[0]?.code).toBe(code);
  });
});
