import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobStoreFromEnv, LocalBlobStore } from '../src/index.ts';
import { blobStoreContract } from './blob-store-contract.ts';

let dir: string;
let store: LocalBlobStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blobs-'));
  store = new LocalBlobStore(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

blobStoreContract('LocalBlobStore', async () => {
  const root = await mkdtemp(join(tmpdir(), 'blobs-contract-'));
  const local = new LocalBlobStore(root);
  return {
    store: local,
    async putStoredAt(data, mediaType, whenMs) {
      const ref = await local.put(data, mediaType);
      const when = new Date(whenMs);
      await utimes(join(root, ref.sha256.slice(0, 2), ref.sha256), when, when);
      return ref;
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
});

const bytes = new TextEncoder().encode('not really a png');
const sha = createHash('sha256').update(bytes).digest('hex');

describe('LocalBlobStore', () => {
  it('creates its folders 0700 and its files 0600, whatever the umask (faces are private)', async () => {
    const root = join(dir, 'fresh-root');
    const previous = process.umask(0o022);
    try {
      const ref = await new LocalBlobStore(root).put(new TextEncoder().encode('modes'), 'image/png');
      const folder = join(root, ref.sha256.slice(0, 2));
      const mode = async (path: string) => (await stat(path)).mode & 0o777;
      expect(await mode(root)).toBe(0o700);
      expect(await mode(folder)).toBe(0o700);
      expect(await mode(join(folder, ref.sha256))).toBe(0o600);
      expect(await mode(join(folder, `${ref.sha256}.json`))).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('stores by sha256 and reads back bytes, metadata and a stream', async () => {
    const ref = await store.put(bytes, 'image/png');
    expect(ref).toEqual({ sha256: sha, mediaType: 'image/png', size: bytes.byteLength });
    expect(await store.get(sha)).toEqual(bytes);
    expect(await store.stat(sha)).toEqual(ref);
    const streamed = await store.stream(sha);
    expect(streamed && new Uint8Array(await buffer(streamed.body))).toEqual(bytes);
  });

  it('deduplicates: the same content stored many times at once is one blob', async () => {
    const data = new TextEncoder().encode('same bytes');
    const refs = await Promise.all(Array.from({ length: 8 }, () => store.put(data, 'image/jpeg')));
    expect(new Set(refs.map((r) => r.sha256)).size).toBe(1);
    const folder = join(dir, refs[0]?.sha256.slice(0, 2) ?? '');
    expect((await readdir(folder)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('answers undefined for unknown blobs and deletes', async () => {
    const unknown = 'f'.repeat(64);
    expect(await store.get(unknown)).toBeUndefined();
    expect(await store.has(unknown)).toBe(false);
    await store.delete(sha);
    expect(await store.has(sha)).toBe(false);
  });

  it('refuses anything that is not a sha256 (no path escapes)', async () => {
    await expect(store.get('../../etc/passwd')).rejects.toThrow('not a sha256');
  });

  it('takes its directory from PHOTOMAKER_BLOB_DIR', () => {
    const fromEnv = blobStoreFromEnv({ PHOTOMAKER_BLOB_DIR: dir }) as LocalBlobStore;
    expect(fromEnv.dir).toBe(dir);
  });
});
