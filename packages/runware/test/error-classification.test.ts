import type { RunwareError } from '@photomaker/schema';
import { describe, expect, it } from 'vitest';
import {
  apiErrorFrom,
  isGenerationFailure,
  isSyncTimeout,
  transportErrorFrom,
} from '../src/error-mapping.ts';
import { RunwareApiError, RunwareTransportError } from '../src/errors.ts';

const T = '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a';
const err = (code: string, extra: Partial<RunwareError> = {}): RunwareError => ({
  code,
  message: `${code} happened`,
  ...extra,
});

describe('apiErrorFrom: Runware errors as typed, classified errors', () => {
  const cases: [string, number | undefined, string, boolean][] = [
    ['invalidStrength', 400, 'validation', false],
    ['missingPositivePrompt', 400, 'validation', false],
    ['invalidApiKey', 401, 'auth', false],
    ['missingApiKey', 401, 'auth', false],
    ['insufficientCredits', 402, 'quota', false],
    ['nsfwContentDetected', 400, 'safety', false],
    ['contentPolicyViolation', undefined, 'safety', false],
    ['rateLimitExceeded', 429, 'rateLimit', true],
    ['serviceUnavailable', 503, 'serverError', true],
    ['timeoutProvider', 504, 'timeout', true],
    ['providerError', undefined, 'provider', true],
    ['taskNotFound', 404, 'notFound', false],
    ['conflictTaskUUID', 400, 'conflict', false],
    // Unknown codes fall back to the HTTP status: 408/429/5xx retry, other 4xx do not.
    ['somethingNew', 408, 'timeout', true],
    ['somethingNew', 429, 'rateLimit', true],
    ['somethingNew', 500, 'serverError', true],
    ['somethingNew', 502, 'serverError', true],
    ['somethingNew', 422, 'validation', false],
    ['somethingNew', 403, 'auth', false],
  ];
  it.each(cases)('%s with HTTP %s -> %s, retryable %s', (code, status, category, retryable) => {
    const error = apiErrorFrom({ status, errors: [err(code, { parameter: 'strength', taskUUID: T })] }, {});
    expect(error).toBeInstanceOf(RunwareApiError);
    expect(error.category).toBe(category);
    expect(error.retryable).toBe(retryable);
    expect(error.code).toBe(code);
    expect(error.parameter).toBe('strength');
    expect(error.status).toBe(status);
    expect(error.taskUUID).toBe(T);
    expect(error.alreadyAccepted).toBe(category === 'conflict');
  });

  it('a status without a Runware body is classified by the status alone', () => {
    const error = apiErrorFrom({ status: 503, errors: [], retryAfterMs: 2_000 }, { taskType: 'photoMaker' });
    expect(error).toMatchObject({
      code: 'http503',
      category: 'serverError',
      retryable: true,
      retryAfterMs: 2_000,
    });
  });

  it("speaks for the caller's task when several failed, keeps all errors, joins cross-field parameters", () => {
    const other = '11111111-1111-4111-8111-111111111111';
    const error = apiErrorFrom(
      {
        status: 400,
        errors: [
          err('invalidWidth', { taskUUID: other, parameter: 'width' }),
          err('incompatibleParameters', { taskUUID: T, parameter: ['width', 'height'] }),
        ],
      },
      { taskUUID: T },
    );
    expect(error.code).toBe('incompatibleParameters');
    expect(error.parameter).toBe('width, height');
    expect(error.errors).toHaveLength(2);
    expect(error.message).toContain('(+1 more error)');
  });
});

describe('transportErrorFrom: failures below HTTP are retryable', () => {
  const cases: [string, string, string][] = [
    ['ECONNRESET', 'connectionReset', 'network'],
    ['UND_ERR_SOCKET', 'connectionReset', 'network'],
    ['ECONNREFUSED', 'connectionRefused', 'network'],
    ['ENOTFOUND', 'hostNotFound', 'network'],
    ['UND_ERR_CONNECT_TIMEOUT', 'connectTimeout', 'timeout'],
    ['UND_ERR_HEADERS_TIMEOUT', 'headersTimeout', 'timeout'],
    ['UND_ERR_BODY_TIMEOUT', 'bodyTimeout', 'timeout'],
    ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'truncatedBody', 'network'],
  ];
  it.each(cases)('%s -> %s (%s)', (raw, code, category) => {
    const cause = Object.assign(new Error('low level'), { code: raw });
    const error = transportErrorFrom(Object.assign(new Error('wrapped'), { cause }), { taskUUID: T });
    expect(error).toBeInstanceOf(RunwareTransportError);
    expect(error).toMatchObject({ code, category, retryable: true, taskUUID: T });
  });
});

describe('isGenerationFailure', () => {
  it('tells failed generations from refused requests', () => {
    expect(isGenerationFailure([err('rateLimitExceeded')], 0)).toBe(false);
    expect(isGenerationFailure([err('invalidWidth')], 0)).toBe(false);
    expect(isGenerationFailure([err('inferenceError')], 0)).toBe(true);
    expect(isGenerationFailure([err('nsfwContentDetected')], 0)).toBe(true);
    expect(isGenerationFailure([err('somethingNew', { status: 'error' })], 0)).toBe(true);
    expect(isGenerationFailure([err('somethingNew')], 2)).toBe(true);
    expect(isGenerationFailure([], 2)).toBe(false);
  });
});

describe('isSyncTimeout', () => {
  it('is a timeout that is not a failed generation', () => {
    expect(isSyncTimeout([err('timeout')])).toBe(true);
    expect(isSyncTimeout([err('timeoutProvider', { status: 'error' })])).toBe(false);
    expect(isSyncTimeout([err('timeout'), err('inferenceError', { status: 'error' })])).toBe(false);
    expect(isSyncTimeout([])).toBe(false);
  });
});
