import { randomUUID } from 'node:crypto';

type StoredKind = 'upload' | 'output';

export interface StoredImage {
  uuid: string;
  bytes: Buffer;
  mediaType: string;
  ext: string;
  kind: StoredKind;
  /** Epoch ms after which the image is gone (404). */
  expiresAt: number;
  sha256?: string;
}

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

function extensionFor(mediaType: string): string {
  return EXT[mediaType] ?? 'bin';
}

/**
 * Every image the emulator holds, by imageUUID: uploads and input images (usable in `inputImages`),
 * generated outputs (served at /images/<uuid>.<ext> until their ttl). Bounded by total bytes: the oldest
 * images go first when a new one would not fit.
 */
export class ImageStore {
  private readonly images = new Map<string, StoredImage>();
  private readonly uploadsByHash = new Map<string, string>();
  private totalBytes = 0;
  private readonly maxBytes: number;
  /** The clock expiry is measured with (tests move it forward instead of waiting a ttl out). */
  readonly now: () => number;

  constructor(maxBytes: number, now: () => number = Date.now) {
    this.maxBytes = maxBytes;
    this.now = now;
  }

  put(entry: Omit<StoredImage, 'uuid' | 'ext'> & { uuid?: string }): StoredImage {
    const image: StoredImage = {
      ...entry,
      uuid: entry.uuid ?? randomUUID(),
      ext: extensionFor(entry.mediaType),
    };
    this.evictFor(image.bytes.length);
    this.images.set(image.uuid, image);
    this.totalBytes += image.bytes.length;
    if (image.kind === 'upload' && image.sha256) this.uploadsByHash.set(image.sha256, image.uuid);
    return image;
  }

  get(uuid: string, now = this.now()): StoredImage | undefined {
    const image = this.images.get(uuid.toLowerCase());
    if (!image) return undefined;
    if (image.expiresAt <= now) {
      this.delete(image.uuid);
      return undefined;
    }
    return image;
  }

  /** An upload with the same bytes (same SHA-256), so re-uploading returns the same imageUUID. */
  uploadByHash(sha256: string): StoredImage | undefined {
    const uuid = this.uploadsByHash.get(sha256);
    return uuid ? this.get(uuid) : undefined;
  }

  /** Keeps an upload alive while it is used (Runware: deleted 30 days after last use). */
  touch(image: StoredImage, ttlSeconds: number, now = this.now()): void {
    image.expiresAt = Math.max(image.expiresAt, now + ttlSeconds * 1000);
  }

  sweep(now = this.now()): number {
    let removed = 0;
    for (const image of this.images.values()) {
      if (image.expiresAt <= now) {
        this.delete(image.uuid);
        removed += 1;
      }
    }
    return removed;
  }

  clear(): void {
    this.images.clear();
    this.uploadsByHash.clear();
    this.totalBytes = 0;
  }

  stats(): { images: number; bytes: number } {
    return { images: this.images.size, bytes: this.totalBytes };
  }

  private delete(uuid: string): void {
    const image = this.images.get(uuid);
    if (!image) return;
    this.images.delete(uuid);
    this.totalBytes -= image.bytes.length;
    if (image.sha256 && this.uploadsByHash.get(image.sha256) === uuid)
      this.uploadsByHash.delete(image.sha256);
  }

  private evictFor(incoming: number): void {
    for (const uuid of this.images.keys()) {
      if (this.totalBytes + incoming <= this.maxBytes) return;
      this.delete(uuid);
    }
  }
}
