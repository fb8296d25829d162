import { describe, expect, it } from 'vitest';
import { InvalidEnvelopeError, parseEnvelope } from '../src/envelope.ts';

const T = '6f1f1d6e-0c5a-4b8e-9a55-6f0e1c2d3b4a';

describe('parseEnvelope', () => {
  it('keeps data and errors of a mixed response', () => {
    const text = JSON.stringify({
      data: [{ taskType: 'photoMaker', taskUUID: T, imageUUID: 'a', seed: 1 }],
      errors: [{ code: 'timeoutProvider', message: 'slow', taskUUID: T, status: 'error' }],
    });
    const envelope = parseEnvelope(text);
    expect(envelope.data).toHaveLength(1);
    expect(envelope.errors).toEqual([
      { code: 'timeoutProvider', message: 'slow', taskUUID: T, status: 'error' },
    ]);
  });

  it('accepts a singular error object, with the taskUUID beside it', () => {
    const envelope = parseEnvelope(
      JSON.stringify({ error: { code: 'invalidApiKey', message: 'no' }, taskUUID: T }),
    );
    expect(envelope.errors).toEqual([{ code: 'invalidApiKey', message: 'no', taskUUID: T }]);
    expect(envelope.data).toEqual([]);
  });

  it('accepts a singular error array', () => {
    const envelope = parseEnvelope(
      JSON.stringify({
        error: [
          { code: 'a', message: 'x' },
          { code: 'b', message: 'y' },
        ],
      }),
    );
    expect(envelope.errors.map((e) => e.code)).toEqual(['a', 'b']);
  });

  it('fills code and message of malformed error items', () => {
    const envelope = parseEnvelope(
      JSON.stringify({ errors: [{ message: 'only a message' }, { code: 'onlyCode' }, 'text'] }),
    );
    expect(envelope.errors).toEqual([
      { code: 'unknownError', message: 'only a message' },
      { code: 'onlyCode', message: 'onlyCode' },
      { code: 'unknownError', message: 'text' },
    ]);
  });

  it('moves data items of status "error" with a nested error to errors', () => {
    const envelope = parseEnvelope(
      JSON.stringify({
        data: [
          { taskType: 'photoMaker', taskUUID: T, status: 'processing' },
          {
            taskType: 'photoMaker',
            taskUUID: T,
            status: 'error',
            error: { code: 'inferenceError', message: 'boom' },
          },
        ],
      }),
    );
    expect(envelope.data).toEqual([{ taskType: 'photoMaker', taskUUID: T, status: 'processing' }]);
    expect(envelope.errors).toEqual([
      { taskType: 'photoMaker', taskUUID: T, status: 'error', code: 'inferenceError', message: 'boom' },
    ]);
  });

  it('wraps a lone data object (imageUpload docs example)', () => {
    expect(parseEnvelope('{"data":{"taskType":"imageUpload","imageUUID":"x"}}').data).toEqual([
      { taskType: 'imageUpload', imageUUID: 'x' },
    ]);
  });

  it('keeps seeds above 2^53 exact', () => {
    const envelope = parseEnvelope(`{"data":[{"taskType":"photoMaker","seed":9223372036854775807}]}`);
    expect(envelope.data[0]?.seed).toBe('9223372036854775807');
  });

  it('rejects what is not a JSON object', () => {
    expect(() => parseEnvelope('<html>bad gateway</html>')).toThrow(InvalidEnvelopeError);
    expect(() => parseEnvelope('[1,2]')).toThrow(InvalidEnvelopeError);
  });
});
