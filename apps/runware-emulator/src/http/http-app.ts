import type { Logger } from '@photomaker/observability';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { errorReply } from './error-reply.ts';

/**
 * The fastify instance every route is registered on: body parsing, the error and not-found answers,
 * and /health. Routes come from the callers (REST, images, admin).
 */
export function createHttpApp(logger: Logger, maxBodyBytes: number): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes, forceCloseConnections: true });
  app.removeAllContentTypeParsers();
  // /v1 bodies stay text: they are parsed losslessly (seeds up to 2^63-1). Admin bodies are plain JSON.
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    if (request.url.startsWith('/v1')) return done(null, body);
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      const error = new Error('the body is not valid JSON') as FastifyError;
      error.statusCode = 400;
      done(error, undefined);
    }
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = errorReply(error, request.url);
    if (status >= 500) logger.error({ err: error, url: request.url }, 'request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'notFound', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.get('/health', async () => ({ ok: true }));
  return app;
}
