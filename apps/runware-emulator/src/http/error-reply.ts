/** What a failed request is answered with: its status and JSON body. */
export interface ErrorReply {
  status: number;
  body: Record<string, unknown>;
}

/** The Runware error code of a request that failed before any task ran. */
function runwareCode(status: number): string {
  if (status === 413) return 'payloadTooLarge';
  return status >= 500 ? 'internalServerError' : 'invalidRequestBody';
}

/**
 * A request fastify failed (body too large, bad JSON, a bug): /v1 callers get Runware's `{errors}`
 * envelope, admin and image callers the emulator's own `{error, message}`. Anything without a 4xx/5xx
 * status is a 500.
 */
export function errorReply(
  error: { statusCode?: number | undefined; message: string },
  url: string,
): ErrorReply {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  if (url.startsWith('/v1')) {
    return { status, body: { errors: [{ code: runwareCode(status), message: error.message }] } };
  }
  return { status, body: { error: status >= 500 ? 'internal' : 'badRequest', message: error.message } };
}
