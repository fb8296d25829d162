import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BlobRef, sniffImageMediaType } from '@photomaker/schema';
import { assertSha256, type BlobStore, SHA256_HEX, type StoredBlob } from './blob-store.ts';

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';
const missingAsNull = (error: unknown) => {
  if (isMissing(error)) return null;
  throw error;
};

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
    // Stored again: the file's time says "just stored", which the garbage collector's grace counts from.
    if ((await this.has(sha256)) && (await this.touch(data))) return ref;
    // Faces and their metadata: readable by this service's user only, whatever the umask.
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const tmp = `${data}.${randomUUID()}.tmp`;
    await writeFile(`${tmp}.json`, JSON.stringify(ref), { mode: 0o600 });
    await rename(`${tmp}.json`, meta);
    await writeFile(tmp, bytes, { mode: 0o600 });
    await rename(tmp, data);
    return ref;
  }

  private async touch(path: string): Promise<boolean> {
    try {
      const now = new Date();
      await utimes(path, now, now);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Every blob with its size and when it was last stored (a put of the same bytes renews it). */
  async *list(): AsyncIterable<StoredBlob> {
    const folders = await readdir(this.dir).catch((error: unknown) => {
      if (isMissing(error)) return [] as string[];
      throw error;
    });
    for (const folder of folders.filter((name) => /^[0-9a-f]{2}$/.test(name))) {
      for (const name of await readdir(join(this.dir, folder))) {
        if (!SHA256_HEX.test(name)) continue;
        const info = await stat(join(this.dir, folder, name)).catch(() => undefined);
        if (info) yield { sha256: name, size: info.size, storedAt: info.mtimeMs };
      }
    }
  }

  /**
   * Deletes a blob unless it was stored at or after `cutoffMs`. The file is renamed aside first and its time
   * read again there, so a put that renews it concurrently either lands before the rename (the blob is
   * put back) or finds it gone and writes it anew: a blob in use is never lost.
   */
  async deleteIfStoredBefore(sha256: string, cutoffMs: number): Promise<boolean> {
    const { data, meta } = this.paths(sha256);
    const aside = `${data}.${randomUUID()}.gc`;
    try {
      await rename(data, aside);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    if ((await stat(aside)).mtimeMs >= cutoffMs) {
      await rename(aside, data);
      return false;
    }
    await rm(aside, { force: true });
    // A put racing this one may have written its sidecar already: stat() then sniffs the bytes instead.
    await rm(meta, { force: true });
    return true;
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
      const [info, text] = await Promise.all([stat(data), readFile(meta, 'utf8').catch(missingAsNull)]);
      const mediaType = text === null ? await this.sniff(data) : (JSON.parse(text) as BlobRef).mediaType;
      return { sha256, mediaType, size: info.size };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** A blob whose sidecar a concurrent collection removed (deleteIfStoredBefore): its bytes say what it is. */
  private async sniff(data: string): Promise<string> {
    const handle = await open(data, 'r');
    try {
      const head = new Uint8Array(16);
      await handle.read(head, 0, 16, 0);
      return sniffImageMediaType(head) ?? 'application/octet-stream';
    } finally {
      await handle.close();
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
