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

function sendRunware(res: Response, status: number, body: { errors: RunwareError[] }): void {
  res.status(status).type('application/json').send(stringifyRunwareJson(body));
}

/** An admission refusal as Runware answers it: status, error, and Retry-After when there is one. */
export function refusalOf(refusal: Refusal): { status: number; error: RunwareError; retryAfter?: number } {
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

function tooLarge(
  req: Request,
  res: Response,
  rule: { limit: number; variable: string; who: string; advice?: string },
): void {
  closeIfBodyUnread(req, res);
  sendRunware(res, 413, {
    errors: [
      runwareError(
        'payloadTooLarge',
        `A request ${rule.who} may send at most ${rule.limit} bytes (${rule.variable})${rule.advice ?? ''}.`,
      ),
    ],
  });
}

const ANONYMOUS = 'without an Authorization header';

/** A declared Content-Length over `limit` (a chunked body declares none). */
function declaredOver(req: Request, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/**
 * Reads a body without a key header: small and quickly. Not body-parser: on a too-large body it reads
 * (and discards) the rest before answering, which is the cost to avoid here; this answers 413 the moment
 * the limit is passed and stops reading. A sender slower than the deadline is answered 408.
 */
function readAnonymousBody(limits: V1BodyLimits): RequestHandler {
  const rule = {
    limit: limits.anonymousBodyBytes,
    variable: 'PHOTOMAKER_ANONYMOUS_BODY_BYTES',
    who: ANONYMOUS,
    advice: '; send the key as Authorization: Bearer <key> for larger batches',
  };
  return (req, res, next) => {
    if (declaredOver(req, limits.anonymousBodyBytes)) return tooLarge(req, res, rule);
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      clearTimeout(deadline);
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.pause();
    };
    const deadline = setTimeout(() => {
      stop();
      if (res.headersSent) return;
      res.setHeader('connection', 'close');
      sendRunware(res, 408, {
        errors: [
          runwareError(
            'requestTimeout',
            `A request ${ANONYMOUS} must send its body within ${limits.anonymousBodyTimeoutMs} ms (PHOTOMAKER_ANONYMOUS_BODY_TIMEOUT_MS).`,
          ),
        ],
      });
    }, limits.anonymousBodyTimeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limits.anonymousBodyBytes) return void chunks.push(chunk);
      stop();
      tooLarge(req, res, rule);
    };
    const onEnd = () => {
      stop();
      req.body = Buffer.concat(chunks).toString('utf8');
      next();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', () => clearTimeout(deadline));
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
  const parseBody = express.text({ type: () => true, limit: limits.bodyBytes });
  // A declared length over the limit is refused before reading (body-parser would read it all first).
  const readBody: RequestHandler = (req, res, next) => {
    if (!declaredOver(req, limits.bodyBytes)) return parseBody(req, res, next);
    tooLarge(req, res, { limit: limits.bodyBytes, variable: 'PHOTOMAKER_MAX_BODY_BYTES', who: 'to /v1' });
  };
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
