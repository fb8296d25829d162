import { classifyImageInput, type InputImageMediaType, sniffImageMediaType } from '@photomaker/schema';

/** The API's default per-image limit (PHOTOMAKER_MAX_IMAGE_BYTES); checked here before any upload. */
export const MAX_PHOTO_BYTES = 8 * 1024 * 1024;
export const MAX_PHOTOS = 4;
/** Below this the face is too small for a good likeness (a warning, not an error). */
const SMALL_PHOTO_PX = 512;

type PhotoStatus = 'reading' | 'uploading' | 'ready' | 'failed';

export interface ReferencePhoto {
  /** Local id (list key). */
  key: string;
  name: string;
  size: number;
  status: PhotoStatus;
  /** data: URI of the file (preview and upload body). */
  dataUri?: string;
  mediaType?: InputImageMediaType;
  width?: number;
  height?: number;
  /** uploadReferenceImage's id, used in inputImages. */
  remoteId?: string;
  error?: string;
  warning?: string;
  /** The API's face check of the uploaded photo (absent: not answered). */
  faceCheck?: { ok: boolean; reason: string | null };
}

const FACE_PROBLEMS: Record<string, string> = {
  noFace: 'no face found',
  multipleFaces: 'more than one face: use a photo of the person alone',
  faceTooSmall: 'the face is small: use a closer photo',
  tooBlurry: 'the face is blurry',
  profileFace: 'the face is turned away: use one facing the camera',
};

/** What to say about a photo's face check, and whether it is a problem. */
export function faceCheckNote(check: { ok: boolean; reason: string | null }): string {
  if (check.ok) return '✓ one clear face';
  return FACE_PROBLEMS[check.reason ?? ''] ?? `face check: ${check.reason}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Size and type, from the bytes (never the file name): the same check the API makes. */
export function checkPhotoBytes(
  size: number,
  head: ArrayLike<number>,
): { ok: true; mediaType: InputImageMediaType } | { ok: false; reason: string } {
  if (size === 0) return { ok: false, reason: 'is empty' };
  if (size > MAX_PHOTO_BYTES) {
    return {
      ok: false,
      reason: `is ${formatBytes(size)}; the limit is ${formatBytes(MAX_PHOTO_BYTES)} per photo`,
    };
  }
  const mediaType = sniffImageMediaType(head);
  if (!mediaType) return { ok: false, reason: 'is not a PNG, JPEG or WEBP image' };
  return { ok: true, mediaType };
}

export function sizeWarning(width: number, height: number): string | undefined {
  return Math.min(width, height) < SMALL_PHOTO_PX
    ? `only ${width}×${height}: a larger, sharper face gives a better likeness`
    : undefined;
}

/** Reads a picked/dropped file: checks it, makes the data URI, measures it. Browser only. */
export async function readPhotoFile(
  file: File,
): Promise<
  | { ok: true; dataUri: string; mediaType: InputImageMediaType; width: number; height: number }
  | { ok: false; reason: string }
> {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const check = checkPhotoBytes(file.size, head);
  if (!check.ok) return check;
  const raw = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(file);
  });
  // The browser's declared type may be wrong or empty; the sniffed one is what the bytes are.
  const dataUri = `data:${check.mediaType};base64,${raw.slice(raw.indexOf(',') + 1)}`;
  const classified = classifyImageInput(dataUri);
  if (!classified.ok) return { ok: false, reason: classified.reason };
  let width = 0;
  let height = 0;
  try {
    const bitmap = await createImageBitmap(file);
    width = bitmap.width;
    height = bitmap.height;
    bitmap.close();
  } catch {
    return { ok: false, reason: 'could not be decoded as an image (damaged file?)' };
  }
  return { ok: true, dataUri, mediaType: check.mediaType, width, height };
}
