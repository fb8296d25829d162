import type { Readable } from 'node:stream';
import type { BlobRef } from '@photomaker/schema';

/**
 * Content-addressed storage for image bytes (reference photos and generated outputs). Temporal payloads
 * only ever carry the BlobRef (claim check); the bytes stay here. Implementations: a local directory
 * (one machine), or any S3-compatible store at scale behind the same interface.
 */
export interface BlobStore {
  /** Stores bytes under their sha256; storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array, mediaType: string): Promise<BlobRef>;
  get(sha256: string): Promise<Uint8Array | undefined>;
  stat(sha256: string): Promise<BlobRef | undefined>;
  has(sha256: string): Promise<boolean>;
  stream(sha256: string): Promise<{ ref: BlobRef; body: Readable } | undefined>;
  delete(sha256: string): Promise<void>;
}

/** One blob as a listing sees it (garbage collection). */
export interface StoredBlob {
  sha256: string;
  size: number;
  /** Unix ms of the last put of these bytes. */
  storedAt: number;
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function assertSha256(sha256: string): void {
  // Also what keeps a path segment from escaping the store's directory.
  if (!SHA256_HEX.test(sha256)) throw new TypeError('not a sha256 hex digest');
}
