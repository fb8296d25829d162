import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBlobStore } from './local-blob-store.ts';

/** The repo's `.data/blobs`: the default so api and worker on one machine share one store. */
export const DEFAULT_BLOB_DIR = fileURLToPath(new URL('../../../.data/blobs', import.meta.url));

/** `PHOTOMAKER_BLOB_DIR` (relative paths resolve from the working directory) or the default. */
export function blobStoreFromEnv(env: NodeJS.ProcessEnv = process.env): LocalBlobStore {
  const dir = env.PHOTOMAKER_BLOB_DIR;
  if (!dir) return new LocalBlobStore(DEFAULT_BLOB_DIR);
  return new LocalBlobStore(isAbsolute(dir) ? dir : resolve(dir));
}
