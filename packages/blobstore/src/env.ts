import { z } from 'zod';

/** The URL-signing secret used when none is set: fine on a laptop, and the API and worker agree on it. */
export const DEV_URL_SECRET = 'photomaker-dev-url-secret';

/** Where the local blob store keeps its files (see from-env.ts). */
export const blobDirEnv = z.object({
  PHOTOMAKER_BLOB_DIR: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .optional()
    .describe('Local blob store directory (relative paths resolve from the working directory)')
    .meta({ defaultText: 'the repository’s `.data/blobs`' }),
});

/** Which blob store (from-env.ts): a local directory by default, an S3 bucket for replicas that share no disk. */
export const blobStoreEnv = z.object({
  PHOTOMAKER_BLOB_STORE: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .refine((value) => !value.startsWith('s3:') || /^s3:\/\/[^/]+/.test(value), {
      error: 'must be s3://<bucket>/<prefix>, file:///<dir> or a directory',
    })
    .optional()
    .describe(
      'Blob store: `s3://<bucket>/<prefix>` (credentials, region, endpoint from the standard `AWS_*` settings), or a directory / `file://` URL',
    )
    .meta({ defaultText: '`PHOTOMAKER_BLOB_DIR`' }),
  PHOTOMAKER_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false')
    .describe('Path-style S3 requests (`<endpoint>/<bucket>/<key>`), for S3-compatible servers'),
});

/** How the API hands out image URLs: its own signed URLs, served by it, or redirects to presigned S3 GETs. */
export const imageUrlModeEnv = z.object({
  PHOTOMAKER_IMAGE_URLS: z
    .enum(['api', 'presigned'], { error: 'must be api or presigned' })
    .default('api')
    .describe(
      '`presigned`: `GET /images` redirects to a presigned S3 GET (bytes bypass the API; needs an `s3://` blob store reachable by clients)',
    ),
});

/** The HMAC secret of signed image URLs (signed-path.ts): whoever signs and whoever serves share it. */
export const urlSigningEnv = z.object({
  PHOTOMAKER_URL_SECRET: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional()
    .describe('HMAC secret of signed image URLs')
    .meta({ secret: true, defaultText: 'a built-in dev secret (warns)' }),
});
