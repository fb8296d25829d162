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

/** The HMAC secret of signed image URLs (signed-path.ts): whoever signs and whoever serves share it. */
export const urlSigningEnv = z.object({
  PHOTOMAKER_URL_SECRET: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional()
    .describe('HMAC secret of signed image URLs')
    .meta({ secret: true, defaultText: 'a built-in dev secret (warns)' }),
});
