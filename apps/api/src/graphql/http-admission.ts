import type { RequestHandler } from 'express';
import type { AdmissionGate } from '../auth/admission.ts';
import { bearerToken, type Principal } from '../auth/api-keys.ts';
import { closeIfBodyUnread } from '../http/unread-body.ts';
import { refusalError } from './errors.ts';

/** What the middleware leaves in `res.locals` for the GraphQL context. */
export interface AdmittedLocals {
  principal?: Principal;
}

/**
 * GraphQL over HTTP's admission: the Bearer key (and the caller's address) through the one admission
 * gate; a refusal is answered from the headers, before any body byte is read, as a GraphQL error body
 * with its HTTP status (and WWW-Authenticate or Retry-After), and the connection is closed after it.
 */
export function admitGraphQL(admission: Pick<AdmissionGate, 'admit'>): RequestHandler {
  return async (req, res, next) => {
    const admitted = await admission.admit({
      apiKey: bearerToken(req.headers.authorization),
      transport: 'http',
      ip: req.socket.remoteAddress,
    });
    if (admitted.ok) {
      (res.locals as AdmittedLocals).principal = admitted.principal;
      next();
      return;
    }
    const { refusal } = admitted;
    const { status, error } = refusalError(refusal);
    if (refusal.kind === 'unauthenticated') res.setHeader('www-authenticate', 'Bearer');
    if (refusal.kind === 'rate-limited' || refusal.kind === 'address-limited')
      res.setHeader('retry-after', String(refusal.retryAfterSeconds));
    closeIfBodyUnread(req, res);
    res.status(status).json({ errors: [{ message: error.message, extensions: error.extensions }] });
  };
}
