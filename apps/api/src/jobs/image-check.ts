import { type InputImageMediaType, sniffImageMediaType } from '@photomaker/schema';
import sharp from 'sharp';

export type ImageCheck =
  | { ok: true; mediaType: InputImageMediaType; width: number; height: number }
  | { ok: false; reason: string };

/** Side of the throwaway thumbnail the full decode renders into: the decode is the point, not the output. */
const PROBE_SIDE = 16;

const SHARP_FORMAT: Record<InputImageMediaType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
};

const megapixels = (pixels: number) => `${(pixels / 1_000_000).toFixed(1)} megapixels`;

/**
 * APNG keeps its frames in chunks libvips skips (it decodes the first frame only), so the `acTL`
 * animation-control chunk, which the format requires before the first `IDAT`, is looked for directly.
 */
function isAnimatedPng(bytes: Uint8Array): boolean {
  let offset = 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (offset + 8 <= bytes.byteLength) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'acTL') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    offset += 12 + length;
  }
  return false;
}

type Header = { width: number; height: number; pages: number; format: string | undefined };

async function readHeader(bytes: Uint8Array): Promise<Header | undefined> {
  try {
    const meta = await sharp(bytes, { limitInputPixels: false, animated: true }).metadata();
    if (!meta.width || !meta.height) return undefined;
    // With `animated`, sharp reports the height of all frames stacked: one frame is pageHeight.
    return {
      width: meta.width,
      height: meta.pageHeight ?? meta.height,
      pages: meta.pages ?? 1,
      format: meta.format,
    };
  } catch {
    return undefined;
  }
}

function headerProblem(header: Header, mediaType: InputImageMediaType, maxPixels: number) {
  if (header.format !== SHARP_FORMAT[mediaType])
    return `starts like ${mediaType} but decodes as ${header.format ?? 'nothing'}`;
  const pixels = header.width * header.height;
  if (pixels > maxPixels)
    return `is ${header.width}x${header.height} (${megapixels(pixels)}); the limit is ${megapixels(maxPixels)}`;
  if (header.pages > 1) return `is animated (${header.pages} frames); only still images are accepted`;
  return undefined;
}

/**
 * Checks that bytes are one still PNG, JPEG or WEBP image that decodes completely, within a pixel limit,
 * before any job or upload uses them: the header's dimensions and frame count first (a pixel bomb is
 * refused without decoding), then a full decode (a truncated or corrupt file fails it). The decode runs
 * on libvips' threads, shrinking while it reads, so it neither blocks the event loop nor holds the
 * full-size bitmap.
 */
export async function checkImage(
  bytes: Uint8Array,
  { maxPixels }: { maxPixels: number },
): Promise<ImageCheck> {
  const mediaType = sniffImageMediaType(bytes.subarray(0, 16));
  if (!mediaType) return { ok: false, reason: 'is not a PNG, JPEG or WEBP image' };
  const header = await readHeader(bytes);
  if (!header) return { ok: false, reason: `is not a decodable ${mediaType} (its header is unreadable)` };
  const problem = headerProblem(header, mediaType, maxPixels);
  if (problem) return { ok: false, reason: problem };
  if (mediaType === 'image/png' && isAnimatedPng(bytes))
    return { ok: false, reason: 'is an animated PNG; only still images are accepted' };
  try {
    await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .resize(PROBE_SIDE, PROBE_SIDE, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch {
    return { ok: false, reason: `cannot be decoded: the ${mediaType} data is truncated or corrupt` };
  }
  return { ok: true, mediaType, width: header.width, height: header.height };
}
