import sharp from 'sharp';

/** Longest side the detector sees: enough for faces >= ~40 px, and bounds CPU and tensor memory. */
export const DETECT_MAX_SIDE = 1280;

export interface DecodedImage {
  /** RGB, 3 bytes per pixel, EXIF orientation applied. */
  readonly rgb: Buffer;
  readonly width: number;
  readonly height: number;
  /** original pixels per decoded pixel (>= 1): measurements are reported in original pixels. */
  readonly scale: number;
  readonly originalWidth: number;
  readonly originalHeight: number;
}

export async function decodeForDetection(
  bytes: Uint8Array,
  maxSide = DETECT_MAX_SIDE,
): Promise<DecodedImage> {
  const meta = await sharp(bytes).metadata();
  const originalWidth = meta.autoOrient.width;
  const originalHeight = meta.autoOrient.height;
  const scale = Math.max(1, Math.max(originalWidth, originalHeight) / maxSide);
  const { data, info } = await sharp(bytes, { autoOrient: true })
    .resize({
      width: Math.round(originalWidth / scale),
      height: Math.round(originalHeight / scale),
      fit: 'fill',
    })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { rgb: data, width: info.width, height: info.height, scale, originalWidth, originalHeight };
}
