import sharp from 'sharp';
import { type RawImage, toRaw } from './raw-image.ts';

/** Longest side references are decoded to: plenty for any output, cheap to crop and resize. */
const DECODE_SIDE = 1024;

/**
 * Decoded reference photos by content hash: a batch of 20 images (and every later task with the same
 * face photos) decodes each reference once. Least recently used entries go first.
 */
export class ReferenceCache {
  private readonly entries = new Map<string, Promise<RawImage>>();
  private readonly capacity: number;
  hits = 0;
  misses = 0;

  constructor(capacity = 32) {
    this.capacity = capacity;
  }

  get(hash: string, bytes: Buffer): Promise<RawImage> {
    const cached = this.entries.get(hash);
    if (cached) {
      this.hits += 1;
      this.entries.delete(hash);
      this.entries.set(hash, cached);
      return cached;
    }
    this.misses += 1;
    const decoded = toRaw(
      sharp(bytes)
        .rotate()
        .flatten({ background: '#ffffff' })
        .resize(DECODE_SIDE, DECODE_SIDE, { fit: 'inside', withoutEnlargement: true }),
    );
    decoded.catch(() => this.entries.delete(hash));
    this.entries.set(hash, decoded);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return decoded;
  }

  clear(): void {
    this.entries.clear();
  }
}
