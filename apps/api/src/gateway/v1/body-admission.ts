import { type RunwareError, stringifyRunwareJson } from '@photomaker/schema';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { type AdmissionGate, addressLimitMessage, type Refusal } from '../../auth/admission.ts';
import { bearerToken, type Principal } from '../../auth/api-keys.ts';
import { closeIfBodyUnread } from '../../http/unread-body.ts';
import { runwareError } from './results.ts';

/** What /v1's admission leaves in `res.locals`: the principal when the key came in the header. */
export interface V1Locals {
  principal?: Principal;
}

export interface V1BodyLimits {
  /** Body of a request whose key came in the Authorization header. */
  bodyBytes: number;
  /** Body of a request without one (its key, if any, is in an `authentication` task). */
  anonymousBodyBytes: number;
  /** How long a request without a key header may take to send its body (ms). */
  anonymousBodyTimeoutMs: number;
}

export function sendRunware(res: Response, status: number, body: { errors: RunwareError[] }): void {
  res.status(status).type('application/json').send(stringifyRunwareJson(body));
}

/** An admission refusal as Runware answers it: status, error, and Retry-After when there is one. */
function refusalOf(refusal: Refusal): { status: number; error: RunwareError; retryAfter?: number } {
  const auth = { parameter: 'apiKey', taskType: 'authentication' };
  switch (refusal.kind) {
    case 'unauthenticated':
      return refusal.reason === 'missing-key'
        ? {
            status: 401,
            error: runwareError('missingApiKey', 'Missing API key: send Authorization: Bearer <key>.', auth),
          }
        : { status: 401, error: runwareError('invalidApiKey', 'Invalid API key.', auth) };
    case 'rate-limited':
      return {
        status: 429,
        retryAfter: refusal.retryAfterSeconds,
        error: runwareError(
          'rateLimitExceeded',
          `Rate limit exceeded for this API key; retry in ${refusal.retryAfterSeconds} s.`,
        ),
      };
    case 'address-limited':
      return {
        status: 429,
        retryAfter: refusal.retryAfterSeconds,
        error: runwareError('rateLimitExceeded', `${addressLimitMessage(refusal)}.`),
      };
    case 'unavailable':
      return {
        status: 503,
        error: runwareError('serviceUnavailable', 'The rate limiter is unavailable; retry shortly.'),
      };
  }
}

/** Answers a refusal; before the body was read, the connection closes after the answer. */
export function refuse(req: Request, res: Response, refusal: Refusal): void {
  const { status, error, retryAfter } = refusalOf(refusal);
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
  closeIfBodyUnread(req, res);
  sendRunware(res, status, { errors: [error] });
}

/**
 * Reads a body without a key header: small, and within a deadline (a slow sender is answered 408 and
 * disconnected). Its own 413 names the limit that applies here, not PHOTOMAKER_MAX_BODY_BYTES.
 */
function readAnonymousBody(limits: V1BodyLimits): RequestHandler {
  const parse = express.text({ type: () => true, limit: limits.anonymousBodyBytes });
  return (req, res, next) => {
    const deadline = setTimeout(() => {
      if (req.complete || res.headersSent) return;
      res.setHeader('connection', 'close');
      sendRunware(res, 408, {
        errors: [
          runwareError(
            'requestTimeout',
            `A request without an Authorization header must send its body within ${limits.anonymousBodyTimeoutMs} ms (PHOTOMAKER_ANONYMOUS_BODY_TIMEOUT_MS).`,
          ),
        ],
      });
    }, limits.anonymousBodyTimeoutMs);
    res.on('close', () => clearTimeout(deadline));
    parse(req, res, (error?: unknown) => {
      clearTimeout(deadline);
      if (res.headersSent) return;
      if ((error as { type?: string } | undefined)?.type !== 'entity.too.large') return next(error);
      closeIfBodyUnread(req, res);
      sendRunware(res, 413, {
        errors: [
          runwareError(
            'payloadTooLarge',
            `A request without an Authorization header may send at most ${limits.anonymousBodyBytes} bytes (PHOTOMAKER_ANONYMOUS_BODY_BYTES): send the key as Authorization: Bearer <key> for larger batches.`,
          ),
        ],
      });
    });
  };
}

/**
 * /v1's key check before any body byte is read. With `Authorization: Bearer <key>` the key is admitted
 * from the header, and only an admitted caller's body (up to PHOTOMAKER_MAX_BODY_BYTES) is read. Without
 * it, Runware's protocol lets the key come in an `authentication` task in the body: such a request is
 * charged against its address's limit first, and may only send a small body, quickly; the batch handler
 * then admits the key it finds there.
 */
export function v1BodyAdmission(
  admission: Pick<AdmissionGate, 'admit' | 'admitAnonymous'>,
  limits: V1BodyLimits,
): RequestHandler {
  const readBody = express.text({ type: () => true, limit: limits.bodyBytes });
  const readAnonymous = readAnonymousBody(limits);
  return (req: Request, res: Response, next: NextFunction) => {
    const ip = req.socket.remoteAddress;
    const apiKey = bearerToken(req.headers.authorization);
    if (apiKey === undefined) {
      const anonymous = admission.admitAnonymous(ip);
      if (anonymous.ok) readAnonymous(req, res, next);
      else refuse(req, res, anonymous.refusal);
      return;
    }
    admission.admit({ apiKey, transport: 'v1', ip }).then((admitted) => {
      if (!admitted.ok) return refuse(req, res, admitted.refusal);
      (res.locals as V1Locals).principal = admitted.principal;
      readBody(req, res, next);
    }, next);
  };
}
