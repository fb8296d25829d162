import { resolve } from 'node:path';
import { parseEnv } from '@photomaker/env';
import { describe, expect, it } from 'vitest';
import {
  blobStoreEnv,
  blobStoreFromEnv,
  DEFAULT_BLOB_DIR,
  type LocalBlobStore,
  parseS3Location,
  S3BlobStore,
} from '../src/index.ts';

describe('blobStoreFromEnv', () => {
  it('keeps a local directory for a path, a file:// URL, PHOTOMAKER_BLOB_DIR or nothing', () => {
    const dirOf = (env: NodeJS.ProcessEnv) => (blobStoreFromEnv(env) as LocalBlobStore).dir;
    expect(dirOf({ PHOTOMAKER_BLOB_STORE: '/srv/blobs' })).toBe('/srv/blobs');
    expect(dirOf({ PHOTOMAKER_BLOB_STORE: 'file:///srv/blobs' })).toBe('/srv/blobs');
    expect(dirOf({ PHOTOMAKER_BLOB_STORE: 'data/blobs' })).toBe(resolve('data/blobs'));
    expect(dirOf({ PHOTOMAKER_BLOB_DIR: '/var/blobs' })).toBe('/var/blobs');
    expect(dirOf({})).toBe(DEFAULT_BLOB_DIR);
    // The store wins over the older directory variable.
    expect(dirOf({ PHOTOMAKER_BLOB_STORE: '/srv/blobs', PHOTOMAKER_BLOB_DIR: '/var/blobs' })).toBe(
      '/srv/blobs',
    );
  });

  it('selects S3 for s3://<bucket>/<prefix>, the prefix always ending in one slash', () => {
    const store = blobStoreFromEnv({ PHOTOMAKER_BLOB_STORE: 's3://photos/prod/blobs/' });
    expect(store).toBeInstanceOf(S3BlobStore);
    expect((store as S3BlobStore).keyOf('ab'.repeat(32))).toBe(`prod/blobs/ab/${'ab'.repeat(32)}`);
    expect(parseS3Location('s3://photos')).toEqual({ bucket: 'photos', prefix: '' });
    expect(parseS3Location('s3://photos//a/b//')).toEqual({ bucket: 'photos', prefix: 'a/b/' });
    expect(parseS3Location('/srv/blobs')).toBeUndefined();
    expect(() => blobStoreFromEnv({ PHOTOMAKER_BLOB_STORE: 's3:/photos' })).toThrow(
      /is not s3:\/\/<bucket>\/<prefix>/,
    );
  });

  it('validates the variables, naming the rule', () => {
    expect(parseEnv(blobStoreEnv, {})).toEqual({
      ok: true,
      data: { PHOTOMAKER_S3_FORCE_PATH_STYLE: 'false' },
    });
    expect(parseEnv(blobStoreEnv, { PHOTOMAKER_BLOB_STORE: 's3://' })).toEqual({
      ok: false,
      problems: [
        'PHOTOMAKER_BLOB_STORE: must be s3://<bucket>/<prefix>, file:///<dir> or a directory (got "s3://")',
      ],
    });
    expect(parseEnv(blobStoreEnv, { PHOTOMAKER_S3_FORCE_PATH_STYLE: 'yes' })).toMatchObject({ ok: false });
  });
});
