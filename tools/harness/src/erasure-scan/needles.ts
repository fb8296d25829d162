import { createHash } from 'node:crypto';

/** One thing that must not be found, in every form it could be written in. */
export interface Needle {
  label: string;
  bytes: Buffer;
}

/**
 * An image's bytes, its sha256 (hex, base64, base64url) and its base64 (as a data URI or a JSON body
 * carries it): what an erasure must leave nowhere.
 */
export function needlesOf(label: string, image: Uint8Array): Needle[] {
  const bytes = Buffer.from(image);
  const digest = createHash('sha256').update(bytes).digest();
  return [
    { label: `${label} bytes`, bytes },
    { label: `${label} base64`, bytes: Buffer.from(bytes.toString('base64')) },
    { label: `${label} sha256 hex`, bytes: Buffer.from(digest.toString('hex')) },
    { label: `${label} sha256 base64`, bytes: Buffer.from(digest.toString('base64')) },
    { label: `${label} sha256 base64url`, bytes: Buffer.from(digest.toString('base64url')) },
  ];
}

/** Labels of the needles found in `haystack`, each prefixed with where (`where: label`). */
export function findNeedles(
  where: string,
  haystack: Uint8Array | string,
  needles: readonly Needle[],
): string[] {
  const buffer = typeof haystack === 'string' ? Buffer.from(haystack) : Buffer.from(haystack);
  return needles
    .filter((needle) => buffer.includes(needle.bytes))
    .map((needle) => `${where}: ${needle.label}`);
}
