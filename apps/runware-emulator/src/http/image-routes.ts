import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.ts';

const FILE = /^([0-9a-f-]{36})\.(jpg|png|webp)$/i;

/** GET /images/<imageUUID>.<ext>: outputs until their ttl, uploads while in use; 404 afterwards. */
export function registerImageRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get<{ Params: { file: string } }>('/images/:file', async (request, reply) => {
    const match = FILE.exec(request.params.file);
    const image = match?.[1] ? ctx.images.get(match[1]) : undefined;
    if (!image || image.ext !== match?.[2]?.toLowerCase()) {
      return reply.code(404).send({ error: 'notFound', message: 'no such image (unknown or expired)' });
    }
    const maxAge = Math.max(0, Math.floor((image.expiresAt - ctx.images.now()) / 1000));
    return reply
      .header('content-type', image.mediaType)
      .header('cache-control', `private, max-age=${maxAge}`)
      .header('expires', new Date(image.expiresAt).toUTCString())
      .send(image.bytes);
  });
}
