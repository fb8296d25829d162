import { S3BlobStore } from '@photomaker/blobstore';

/** A URL the client fetches the blob's bytes from directly, valid for `validForSeconds`. */
export type ImageRedirect = (sha256: string, validForSeconds: number) => Promise<string>;

/** SigV4 presigned URLs live at most 7 days (S3's limit), as long as the API's signed URLs by default. */
const PRESIGN_MAX_SECONDS = 7 * 24 * 3600;

/**
 * PHOTOMAKER_IMAGE_URLS=presigned: GET /images answers with a redirect to a presigned S3 GET, so the bytes
 * flow from S3 to the client and not through the API. The signed API URL stays the capability handed out
 * (GraphQL, /v1, webhook bodies) and keeps its lifetime: the presigned URL lives no longer than it.
 */
export function imageRedirectFor(mode: 'api' | 'presigned', blobs: unknown): ImageRedirect | undefined {
  if (mode === 'api') return undefined;
  if (!(blobs instanceof S3BlobStore))
    throw new Error('PHOTOMAKER_IMAGE_URLS=presigned needs an S3 blob store (PHOTOMAKER_BLOB_STORE=s3://…)');
  return (sha256, validForSeconds) =>
    blobs.presignedUrl(sha256, {
      ttlSeconds: Math.max(1, Math.min(Math.floor(validForSeconds), PRESIGN_MAX_SECONDS)),
    });
}
