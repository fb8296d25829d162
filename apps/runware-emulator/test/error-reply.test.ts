import { describe, expect, it } from 'vitest';
import { errorReply } from '../src/http/error-reply.ts';

describe('errorReply', () => {
  it('answers /v1 in the Runware envelope, 413 as payloadTooLarge', () => {
    expect(errorReply({ statusCode: 413, message: 'too big' }, '/v1')).toEqual({
      status: 413,
      body: { errors: [{ code: 'payloadTooLarge', message: 'too big' }] },
    });
    expect(errorReply({ statusCode: 400, message: 'bad' }, '/v1?x=1')).toEqual({
      status: 400,
      body: { errors: [{ code: 'invalidRequestBody', message: 'bad' }] },
    });
  });

  it('turns a missing or non-error status into a 500', () => {
    expect(errorReply({ message: 'boom' }, '/v1')).toEqual({
      status: 500,
      body: { errors: [{ code: 'internalServerError', message: 'boom' }] },
    });
    expect(errorReply({ statusCode: 302, message: 'odd' }, '/admin/faults').status).toBe(500);
  });

  it('answers other routes in the emulator shape', () => {
    expect(errorReply({ statusCode: 400, message: 'the body is not valid JSON' }, '/admin/faults')).toEqual({
      status: 400,
      body: { error: 'badRequest', message: 'the body is not valid JSON' },
    });
    expect(errorReply({ statusCode: 503, message: 'down' }, '/images/x.png')).toEqual({
      status: 503,
      body: { error: 'internal', message: 'down' },
    });
  });
});
