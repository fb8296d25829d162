import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobRef } from '@photomaker/schema';
import { assertSha256, type BlobStore } from './blob-store.ts';

/**
 * Blobs as files `<dir>/<aa>/<sha256>` with a `<sha256>.json` sidecar for the media type. Writes go to a
 * temp file first and are renamed into place, so a reader never sees a partial blob, and concurrent puts
 * of the same content from several processes are safe.
 */
export class LocalBlobStore implements BlobStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private paths(sha256: string) {
    assertSha256(sha256);
    const folder = join(this.dir, sha256.slice(0, 2));
    return { folder, data: join(folder, sha256), meta: join(folder, `${sha256}.json`) };
  }

  async put(bytes: Uint8Array, mediaType: string): Promise<BlobRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref: BlobRef = { sha256, mediaType, size: bytes.byteLength };
    const { folder, data, meta } = this.paths(sha256);
    if (await this.has(sha256)) return ref;
    // Faces and their metadata: readable by this service's user only, whatever the umask.
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const tmp = `${data}.${randomUUID()}.tmp`;
    await writeFile(`${tmp}.json`, JSON.stringify(ref), { mode: 0o600 });
    await rename(`${tmp}.json`, meta);
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, data);
    return ref;
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.paths(sha256).data));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async stat(sha256: string): Promise<BlobRef | undefined> {
    const { data, meta } = this.paths(sha256);
    try {
      const [info, text] = await Promise.all([stat(data), readFile(meta, 'utf8')]);
      const { mediaType } = JSON.parse(text) as BlobRef;
      return { sha256, mediaType, size: info.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== undefined;
  }

  async stream(sha256: string) {
    const ref = await this.stat(sha256);
    if (!ref) return undefined;
    return { ref, body: createReadStream(this.paths(sha256).data) };
  }

  async delete(sha256: string): Promise<void> {
    const { data, meta } = this.paths(sha256);
    await Promise.all([rm(data, { force: true }), rm(meta, { force: true })]);
  }
}
