import { signBlobPath } from '@photomaker/blobstore';
import type { BlobRef } from '@photomaker/schema';

/** Absolute, signed, expiring URLs of blobs served by GET /images (an <img> cannot send a bearer token). */
export class ImageUrls {
  /** Base URL; set by the server once it listens when PHOTOMAKER_PUBLIC_URL is unset. */
  publicUrl: string;
  private readonly secret: string;
  private readonly ttlSeconds: number;

  constructor(options: { publicUrl: string | undefined; secret: string; ttlSeconds?: number }) {
    this.publicUrl = options.publicUrl ?? 'http://127.0.0.1:4000';
    this.secret = options.secret;
    this.ttlSeconds = options.ttlSeconds ?? 7 * 24 * 3600;
  }

  urlFor(blob: Pick<BlobRef, 'sha256' | 'mediaType'>): string {
    // Stable for an hour-long window so repeated reads give cacheable, identical URLs.
    const now = Math.floor(Date.now() / 3_600_000) * 3600;
    return `${this.publicUrl}${signBlobPath(blob.sha256, blob.mediaType, { secret: this.secret, ttlSeconds: this.ttlSeconds, now })}`;
  }
}
