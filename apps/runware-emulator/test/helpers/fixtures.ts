import { randomUUID } from 'node:crypto';
import sharp from 'sharp';

/** A cartoon face: a stand-in reference photo with a clear "face" in the middle. */
function faceSvg(skin: string, background: string, shirt: string): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="160" height="200">
  <rect width="160" height="200" fill="${background}"/>
  <ellipse cx="80" cy="195" rx="65" ry="45" fill="${shirt}"/>
  <ellipse cx="80" cy="90" rx="45" ry="58" fill="${skin}"/>
  <circle cx="62" cy="85" r="6" fill="#fff"/><circle cx="98" cy="85" r="6" fill="#fff"/>
  <circle cx="63" cy="86" r="3" fill="#2a4d8f"/><circle cx="99" cy="86" r="3" fill="#2a4d8f"/>
  <path d="M62 125 Q80 140 98 125" stroke="#b22222" stroke-width="4" fill="none"/>
</svg>`);
}

export const FACES = {
  a: faceSvg('#f1c27d', '#87ceeb', '#2e8b57'),
  b: faceSvg('#8d5524', '#f5deb3', '#8b0000'),
  c: faceSvg('#e0ac69', '#dda0dd', '#191970'),
};

export async function facePng(which: keyof typeof FACES = 'a'): Promise<Buffer> {
  return sharp(FACES[which]).png().toBuffer();
}

export async function faceJpeg(which: keyof typeof FACES = 'a'): Promise<Buffer> {
  return sharp(FACES[which]).jpeg({ quality: 90 }).toBuffer();
}

export function dataUri(bytes: Buffer, mediaType = 'image/png'): string {
  return `data:${mediaType};base64,${bytes.toString('base64')}`;
}

export const uuid = (): string => randomUUID();

export const MODEL = 'civitai:139562@344487';

/** A small valid photoMaker task; override anything. */
export function photoMakerTask(
  inputImages: string[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    taskType: 'photoMaker',
    taskUUID: uuid(),
    model: MODEL,
    inputImages,
    positivePrompt: 'rwre, a portrait in a garden',
    width: 128,
    height: 128,
    steps: 10,
    ...overrides,
  };
}

/** The same task in Runware's current form: imageInference with a nested photoMaker object. */
export function imageInferenceTask(
  images: string[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const { inputImages: _images, ...rest } = photoMakerTask(images);
  return { ...rest, taskType: 'imageInference', photoMaker: { images }, ...overrides };
}
