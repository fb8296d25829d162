import type { BlobStore } from '@photomaker/blobstore';
import { verifyBlobPath } from '@photomaker/blobstore';
import { type Response, Router } from 'express';
import type { ImageRedirect } from './image-redirects.ts';

interface ImageServices {
  urlSecret: string;
  blobs: Pick<BlobStore, 'stream' | 'has'>;
  /** Presigned mode (image-redirects.ts): redirect to the bytes instead of streaming them. */
  redirect?: ImageRedirect | undefined;
}

/** A redirect to where the bytes are, valid until the signed URL's own expiry (`exp`, unix seconds). */
async function redirectToBlob(res: Response, services: ImageServices, sha256: string, exp: number) {
  if (!services.redirect || !(await services.blobs.has(sha256))) {
    res.status(404).json({ error: 'image not found' });
    return;
  }
  const url = await services.redirect(sha256, exp - Math.floor(Date.now() / 1000));
  // Each answer is a fresh presigned URL: not one to keep.
  res.setHeader('cache-control', 'no-store');
  res.redirect(302, url);
}

/**
 * GET /images/<sha256>.<ext>?exp=&sig= : signed capability URLs of blobs (outputs and reference photos),
 * streamed from the blob store (or, presigned, redirected to it). Content-addressed, so a valid URL's
 * bytes never change: cache hard.
 */
export function imageRoutes(services: ImageServices): Router {
  const router = Router();
  router.get('/images/:file', async (req, res, next) => {
    try {
      const verdict = verifyBlobPath(`/images/${req.params.file}`, req.query as Record<string, unknown>, {
        secret: services.urlSecret,
      });
      if (!verdict.ok) {
        res.status(verdict.reason === 'expired' ? 410 : 403).json({ error: `image URL ${verdict.reason}` });
        return;
      }
      if (req.headers['if-none-match'] === `"${verdict.sha256}"`) {
        res.status(304).end();
        return;
      }
      if (services.redirect) {
        await redirectToBlob(res, services, verdict.sha256, Number(req.query.exp));
        return;
      }
      const blob = await services.blobs.stream(verdict.sha256);
      if (!blob) {
        res.status(404).json({ error: 'image not found' });
        return;
      }
      res.setHeader('content-type', blob.ref.mediaType);
      res.setHeader('content-length', String(blob.ref.size));
      res.setHeader('etag', `"${verdict.sha256}"`);
      // Private: the URL is a capability; shared caches must not keep face photos.
      res.setHeader('cache-control', 'private, max-age=86400, immutable');
      res.setHeader('x-content-type-options', 'nosniff');
      blob.body.on('error', next);
      blob.body.pipe(res);
    } catch (error) {
      next(error);
    }
  });
  return router;
}
