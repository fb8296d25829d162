import { crc32 } from 'node:zlib';
import type { RenderedImage, Renderer, RenderRequest } from './renderer.ts';

// Benchmark mode (`--images prerendered`): sharp stands in for Runware's GPU work, which is not what a
// platform benchmark measures. Each size and format is rendered once (from the first request of that
// shape) and served again; every image still gets its own bytes (a comment naming its seed), so the
// platform stores and hashes each one as it would a real result.

/** A JPEG comment segment (FF FE) right after SOI. */
function jpegWithComment(bytes: Buffer, text: Buffer): Buffer {
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xfffe, 0);
  segment.writeUInt16BE(text.length + 2, 2);
  return Buffer.concat([bytes.subarray(0, 2), segment, text, bytes.subarray(2)]);
}

/** A PNG tEXt chunk right after IHDR (8-byte signature + 25-byte IHDR chunk). */
function pngWithText(bytes: Buffer, text: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from('tEXtseed\0'), text]);
  const chunk = Buffer.alloc(body.length + 8);
  chunk.writeUInt32BE(body.length - 4, 0);
  body.copy(chunk, 4);
  chunk.writeUInt32BE(crc32(body), body.length + 4);
  return Buffer.concat([bytes.subarray(0, 33), chunk, bytes.subarray(33)]);
}

/** The same picture with bytes of its own; WEBP as rendered (its RIFF size would need rewriting). */
function uniqueBytes(image: RenderedImage, seed: string): Buffer {
  const text = Buffer.from(seed);
  if (image.mediaType === 'image/jpeg') return jpegWithComment(image.bytes, text);
  if (image.mediaType === 'image/png') return pngWithText(image.bytes, text);
  return image.bytes;
}

export class PrerenderedRenderer {
  private readonly renderer: Pick<Renderer, 'render'>;
  private readonly rendered = new Map<string, Promise<RenderedImage>>();

  constructor(renderer: Pick<Renderer, 'render'>) {
    this.renderer = renderer;
  }

  async render(request: RenderRequest): Promise<RenderedImage> {
    const key = `${request.width}x${request.height}:${request.outputFormat}`;
    let image = this.rendered.get(key);
    if (!image) {
      image = this.renderer.render(request);
      this.rendered.set(key, image);
      // A failed first render is not kept: the next request of that shape renders again.
      image.catch(() => this.rendered.delete(key));
    }
    const { bytes, mediaType } = await image;
    return { bytes: uniqueBytes({ bytes, mediaType }, request.seed), mediaType };
  }
}
