import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Call before answering a request whose body was not (fully) read, such as a refusal made from the
 * headers: the connection closes after the answer. Otherwise Node keeps the connection alive by reading
 * and discarding the rest of the body, which is the very cost an early refusal is meant to avoid.
 */
export function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
}
