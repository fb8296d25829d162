import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/**
 * Images that start like a PNG/WEBP (their first bytes pass a sniff) but must be refused when decoded:
 * built from a real 1x1 PNG by editing its chunks, so each file is small and exactly what its name says.
 */
const ONE_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

/** Signature (8) + IHDR chunk (25): what precedes the image data in ONE_PIXEL_PNG. */
const HEADER_END = 33;

/** A PNG whose header claims width x height (a "pixel bomb"); its data is the 1x1 image's. */
export function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.from(ONE_PIXEL_PNG.subarray(16, 29));
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  return Buffer.concat([
    ONE_PIXEL_PNG.subarray(0, 8),
    chunk('IHDR', ihdr),
    ONE_PIXEL_PNG.subarray(HEADER_END),
  ]);
}

/** The 1x1 PNG cut inside its compressed data: the header reads fine, the decode runs out of bytes. */
export function truncatedPng(): Buffer {
  return ONE_PIXEL_PNG.subarray(0, HEADER_END + 14);
}

/** The 1x1 PNG with an APNG animation-control chunk (2 frames) before its data. */
export function animatedPng(): Buffer {
  const actl = Buffer.alloc(8);
  actl.writeUInt32BE(2, 0);
  return Buffer.concat([
    ONE_PIXEL_PNG.subarray(0, HEADER_END),
    chunk('acTL', actl),
    ONE_PIXEL_PNG.subarray(HEADER_END),
  ]);
}

/** A real 2-frame animated WEBP (4x4 per frame). */
export async function animatedWebp(): Promise<Buffer> {
  const frame = (value: number) =>
    sharp(Buffer.alloc(4 * 4 * 3, value), { raw: { width: 4, height: 4, channels: 3 } })
      .png()
      .toBuffer();
  const frames = await Promise.all([frame(200), frame(10)]);
  return sharp(frames, { join: { animated: true } })
    .webp({ loop: 0, delay: [100, 100] })
    .toBuffer();
}

/** A real PNG of the given size (noise compresses badly, so the file is large for its pixels). */
export function pngOf(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) >>> 24;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export const asDataUri = (bytes: Buffer, mediaType = 'image/png') =>
  `data:${mediaType};base64,${bytes.toString('base64')}`;
