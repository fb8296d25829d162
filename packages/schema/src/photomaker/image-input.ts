import { INPUT_IMAGE_MEDIA_TYPES, type InputImageMediaType } from './limits.ts';

/**
 * The four forms Runware accepts wherever an image goes in: a UUID v4 of an uploaded image, a data URI,
 * raw base64, or an http(s) URL. Browser-safe (no Buffer): the web app validates with the same code.
 */
export type ImageInput =
  | { kind: 'uuid'; uuid: string }
  | { kind: 'dataURI'; mediaType: InputImageMediaType; base64: string }
  | { kind: 'base64'; mediaType: InputImageMediaType; base64: string }
  | { kind: 'url'; url: string };

export type ImageInputResult = { ok: true; value: ImageInput } | { ok: false; reason: string };

export const UUID_V4_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const BASE64_PATTERN = /^[A-Za-z0-9+/]+={0,2}$/;
const DATA_URI_PATTERN = /^data:([a-z]+\/[a-z0-9.+-]+);base64,(.*)$/is;
const MEDIA_TYPE_ALIASES: Record<string, InputImageMediaType> = {
  'image/png': 'image/png',
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/webp': 'image/webp',
};

export function isUuidV4(value: string): boolean {
  return UUID_V4_PATTERN.test(value);
}

/** PNG, JPEG or WEBP from the first bytes of the file; undefined for anything else. */
export function sniffImageMediaType(head: ArrayLike<number>): InputImageMediaType | undefined {
  const b = (i: number) => head[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'image/png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'image/jpeg';
  const riff = b(0) === 0x52 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x46;
  const webp = b(8) === 0x57 && b(9) === 0x45 && b(10) === 0x42 && b(11) === 0x50;
  if (riff && webp) return 'image/webp';
  return undefined;
}

function isBase64(text: string): boolean {
  return text.length > 0 && text.length % 4 === 0 && BASE64_PATTERN.test(text);
}

function sniffBase64(base64: string): InputImageMediaType | undefined {
  const head = atob(base64.slice(0, 16));
  return sniffImageMediaType(Array.from(head, (c) => c.charCodeAt(0)));
}

function parseHttpUrl(value: string): URL | undefined {
  if (!/^https?:\/\//i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.hostname ? url : undefined;
  } catch {
    return undefined;
  }
}

const FORMS =
  'a UUID v4, a data URI (png, jpeg, webp), raw base64 of a PNG/JPEG/WEBP image, or an http(s) URL';

/** A data URI: its declared type must be supported, its payload base64 of a PNG, JPEG or WEBP image. */
function classifyDataUri(dataUri: RegExpExecArray): ImageInputResult {
  const declared = MEDIA_TYPE_ALIASES[(dataUri[1] ?? '').toLowerCase()];
  const base64 = dataUri[2] ?? '';
  if (!declared) {
    return {
      ok: false,
      reason: `is a data URI of type '${dataUri[1]}'; supported: ${INPUT_IMAGE_MEDIA_TYPES.join(', ')}`,
    };
  }
  if (!isBase64(base64)) return { ok: false, reason: 'is a data URI whose payload is not valid base64' };
  const sniffed = sniffBase64(base64);
  if (!sniffed) return { ok: false, reason: 'is a data URI whose bytes are not a PNG, JPEG or WEBP image' };
  return { ok: true, value: { kind: 'dataURI', mediaType: sniffed, base64 } };
}

/** What is neither a UUID, a data URI nor an http(s) URL: raw base64 of an image, or nothing accepted. */
function classifyOther(value: string): ImageInputResult {
  const base64 = isBase64(value);
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) && !base64) {
    return { ok: false, reason: 'is a URL with an unsupported scheme; only http and https are accepted' };
  }
  if (!base64) return { ok: false, reason: `is not ${FORMS}` };
  const sniffed = sniffBase64(value);
  if (sniffed) return { ok: true, value: { kind: 'base64', mediaType: sniffed, base64: value } };
  return { ok: false, reason: 'is base64 but not of a PNG, JPEG or WEBP image' };
}

export function classifyImageInput(value: string): ImageInputResult {
  if (value.length === 0) return { ok: false, reason: `is empty; expected ${FORMS}` };
  if (isUuidV4(value)) return { ok: true, value: { kind: 'uuid', uuid: value.toLowerCase() } };
  const dataUri = DATA_URI_PATTERN.exec(value);
  if (dataUri) return classifyDataUri(dataUri);
  if (value.startsWith('data:'))
    return { ok: false, reason: 'is not a valid data URI (data:<mediaType>;base64,...)' };
  const url = parseHttpUrl(value);
  if (url) return { ok: true, value: { kind: 'url', url: url.href } };
  return classifyOther(value);
}

/** Bytes of an inline image (data URI or raw base64). */
export function decodeInlineImage(input: Extract<ImageInput, { base64: string }>): Uint8Array {
  const binary = atob(input.base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
