import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import type { CollectableBlobStore } from './blob-gc.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './local-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

/** The repo's `.data/blobs`: the default so api and worker on one machine share one store. */
export const DEFAULT_BLOB_DIR = fileURLToPath(new URL('../../../.data/blobs', import.meta.url));

/** A store the API can also collect garbage in: both implementations are. */
export type CollectableStore = BlobStore & CollectableBlobStore;

export interface BlobStoreSettings {
  /** `s3://<bucket>/<prefix>`, `file:///dir` or a directory (PHOTOMAKER_BLOB_STORE). */
  store?: string | undefined;
  /** The local directory when `store` is unset (PHOTOMAKER_BLOB_DIR). */
  dir?: string | undefined;
  /** Path-style S3 addressing, for S3-compatible servers (PHOTOMAKER_S3_FORCE_PATH_STYLE). */
  forcePathStyle?: boolean | undefined;
}

/** `s3://bucket/a/b` -> bucket and prefix `a/b/` (no prefix: ''); anything else is not S3. */
export function parseS3Location(location: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/*(.*)$/.exec(location.trim());
  if (!match?.[1]) return undefined;
  const path = (match[2] ?? '').replace(/\/+$/, '');
  return { bucket: match[1], prefix: path === '' ? '' : `${path}/` };
}

function localDir(location: string): string {
  if (location.startsWith('file:')) return fileURLToPath(location);
  return isAbsolute(location) ? location : resolve(location);
}

/**
 * The blob store the settings name. S3 takes its credentials, region and endpoint from the AWS SDK's own
 * settings (AWS_ACCESS_KEY_ID, AWS_REGION, AWS_ENDPOINT_URL_S3, AWS_PROFILE, instance roles...), read
 * from the process environment by the SDK itself.
 */
export function blobStoreFrom(settings: BlobStoreSettings): CollectableStore {
  const store = settings.store?.trim();
  if (!store) return new LocalBlobStore(settings.dir ? localDir(settings.dir) : DEFAULT_BLOB_DIR);
  if (!store.startsWith('s3:')) return new LocalBlobStore(localDir(store));
  const location = parseS3Location(store);
  if (!location) throw new Error(`PHOTOMAKER_BLOB_STORE: '${store}' is not s3://<bucket>/<prefix>`);
  const client = new S3Client({ forcePathStyle: settings.forcePathStyle ?? false });
  return new S3BlobStore({ client, ...location });
}

/** PHOTOMAKER_BLOB_STORE, else PHOTOMAKER_BLOB_DIR (relative paths resolve from the working directory), else the default. */
export function blobStoreFromEnv(env: NodeJS.ProcessEnv = process.env): CollectableStore {
  return blobStoreFrom({
    store: env.PHOTOMAKER_BLOB_STORE,
    dir: env.PHOTOMAKER_BLOB_DIR,
    forcePathStyle: env.PHOTOMAKER_S3_FORCE_PATH_STYLE === 'true',
  });
}
