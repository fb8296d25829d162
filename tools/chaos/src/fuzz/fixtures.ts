import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import sharp from 'sharp';
import { applyViolations } from './violations.ts';

/** One malformed request: a label for reports and the request + its check, run under a property name. */
export interface Malformed {
  label: string;
  run: (property: string) => Promise<void>;
}

/** What the malformed cases build on: a valid input (both shapes) and an image over the API's limit. */
export interface FuzzFixtures {
  valid: ReturnType<typeof applyViolations>;
  bigImage: string;
}

export async function makeFixtures(): Promise<FuzzFixtures> {
  // Random pixels do not compress: 128x128 is well over MAX_IMAGE_BYTES as a PNG.
  const bigPng = await sharp(randomBytes(128 * 128 * 3), { raw: { width: 128, height: 128, channels: 3 } })
    .png()
    .toBuffer();
  return { valid: applyViolations([]), bigImage: `data:image/png;base64,${bigPng.toString('base64')}` };
}

const isJson = (s: string) => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Short strings that are not JSON. */
export const notJsonText = () => fc.string({ maxLength: 40 }).filter((s) => !isJson(s));
