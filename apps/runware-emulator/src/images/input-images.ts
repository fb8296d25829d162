import { createHash } from 'node:crypto';
import { classifyImageInput, decodeInlineImage, sniffImageMediaType } from '@photomaker/schema';
import sharp from 'sharp';
import type { ImageStore, StoredImage } from './image-store.ts';

/** Runware keeps uploads at most 2048 px on the longest side (aspect kept). */
const MAX_UPLOAD_SIDE = 2048;

export type Resolution =
  | { ok: true; image: StoredImage }
  | { ok: false; reason: string; code: 'invalid' | 'download' };

export interface InputImagesOptions {
  uploadTtlSeconds: number;
  fetchTimeoutMs: number;
  maxBytes: number;
}

/**
 * Turns the four accepted image forms into stored images: a UUID is looked up (uploaded or generated),
 * inline data is decoded, a URL is fetched over HTTP. Bytes must really be a PNG/JPEG/WEBP that decodes.
 * The same bytes always map to the same imageUUID.
 */
export class InputImages {
  private readonly store: ImageStore;
  private readonly options: InputImagesOptions;

  constructor(store: ImageStore, options: InputImagesOptions) {
    this.store = store;
    this.options = options;
  }

  async resolve(value: string): Promise<Resolution> {
    const classified = classifyImageInput(value);
    if (!classified.ok) return { ok: false, reason: classified.reason, code: 'invalid' };
    const input = classified.value;
    if (input.kind === 'uuid') {
      const image = this.store.get(input.uuid);
      if (!image)
        return { ok: false, reason: 'is a UUID of no uploaded or generated image', code: 'invalid' };
      if (image.kind === 'upload') this.store.touch(image, this.options.uploadTtlSeconds);
      return { ok: true, image };
    }
    if (input.kind === 'url') {
      const fetched = await this.download(input.url);
      if (!fetched.ok) return fetched;
      return this.ingest(fetched.bytes);
    }
    return this.ingest(Buffer.from(decodeInlineImage(input)));
  }

  /**
   * A dry run's check of one input: the same verdicts as `resolve` (known UUID, URL fetched, bytes that
   * decode as PNG/JPEG/WEBP), but nothing is stored and no upload's lifetime is extended.
   */
  async check(value: string): Promise<{ ok: true } | Exclude<Resolution, { ok: true }>> {
    const classified = classifyImageInput(value);
    if (!classified.ok) return { ok: false, reason: classified.reason, code: 'invalid' };
    const input = classified.value;
    if (input.kind === 'uuid') {
      return this.store.get(input.uuid)
        ? { ok: true }
        : { ok: false, reason: 'is a UUID of no uploaded or generated image', code: 'invalid' };
    }
    const bytes =
      input.kind === 'url'
        ? await this.download(input.url)
        : { ok: true as const, bytes: Buffer.from(decodeInlineImage(input)) };
    if (!bytes.ok) return bytes;
    return (await decodes(bytes.bytes))
      ? { ok: true }
      : { ok: false, reason: 'is not a PNG, JPEG or WEBP image that decodes', code: 'invalid' };
  }

  /** Stores bytes as an upload (deduplicated by SHA-256), shrunk to 2048 px on the longest side. */
  async ingest(bytes: Buffer): Promise<Resolution> {
    const mediaType = sniffImageMediaType(bytes);
    if (!mediaType) return { ok: false, reason: 'is not a PNG, JPEG or WEBP image', code: 'invalid' };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const existing = this.store.uploadByHash(sha256);
    if (existing) {
      this.store.touch(existing, this.options.uploadTtlSeconds);
      return { ok: true, image: existing };
    }
    let stored = bytes;
    try {
      const meta = await sharp(bytes).metadata();
      if (!meta.width || !meta.height) throw new Error('no dimensions');
      if (Math.max(meta.width, meta.height) > MAX_UPLOAD_SIDE) {
        stored = await sharp(bytes)
          .rotate()
          .resize(MAX_UPLOAD_SIDE, MAX_UPLOAD_SIDE, { fit: 'inside' })
          .toFormat(mediaType === 'image/png' ? 'png' : mediaType === 'image/webp' ? 'webp' : 'jpeg')
          .toBuffer();
      }
    } catch {
      return {
        ok: false,
        reason: 'is an image file that cannot be decoded (corrupt or truncated)',
        code: 'invalid',
      };
    }
    const image = this.store.put({
      bytes: stored,
      mediaType,
      kind: 'upload',
      sha256,
      expiresAt: this.store.now() + this.options.uploadTtlSeconds * 1000,
    });
    return { ok: true, image };
  }

  private async download(
    url: string,
  ): Promise<{ ok: true; bytes: Buffer } | Exclude<Resolution, { ok: true }>> {
    let response: Response;
    try {
      response = await fetch(url, {
        signal: AbortSignal.timeout(this.options.fetchTimeoutMs),
        redirect: 'follow',
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : 'could not be reached';
      return { ok: false, reason: `is a URL that ${reason}`, code: 'download' };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return {
        ok: false,
        reason: `is a URL that answered HTTP ${response.status}`,
        code: response.status >= 500 ? 'download' : 'invalid',
      };
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > this.options.maxBytes) {
      await response.body?.cancel();
      return {
        ok: false,
        reason: `is a URL whose image exceeds ${this.options.maxBytes} bytes`,
        code: 'invalid',
      };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    if (response.body) {
      for await (const chunk of response.body) {
        size += chunk.byteLength;
        if (size > this.options.maxBytes) {
          return {
            ok: false,
            reason: `is a URL whose image exceeds ${this.options.maxBytes} bytes`,
            code: 'invalid',
          };
        }
        chunks.push(Buffer.from(chunk));
      }
    }
    return { ok: true, bytes: Buffer.concat(chunks) };
  }
}

/** Bytes that sniff as PNG/JPEG/WEBP and whose header sharp can read. */
async function decodes(bytes: Buffer): Promise<boolean> {
  if (!sniffImageMediaType(bytes)) return false;
  try {
    const meta = await sharp(bytes).metadata();
    return Boolean(meta.width && meta.height);
  } catch {
    return false;
  }
}
