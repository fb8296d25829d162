import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

// The hostile request shapes of issue #13's stress classes, as pure builders (unit-tested in
// test/stress-payloads.test.ts): the classes send them, these only say what they are.

/** A page of jobs: the field the complexity limit must price (15 of them alone are refused). */
const JOBS_PAGE = 'jobs(first: 100) { nodes { id } }';

/**
 * `heavy` aliased `jobs(first:100)` plus `typenames` aliased `__typename`: the alias bomb, where
 * the extra `__typename`s pushed the estimator past its node cap and turned the limit off.
 */
export function aliasBomb(heavy: number, typenames: number): string {
  const parts: string[] = [];
  for (let i = 0; i < heavy; i += 1) parts.push(`j${i}: ${JOBS_PAGE}`);
  for (let i = 0; i < typenames; i += 1) parts.push(`t${i}: __typename`);
  return `query AliasBomb { ${parts.join(' ')} }`;
}

/**
 * A fragment chain where each fragment spreads the next twice: `depth` fragments expand to 2^depth
 * copies of the last one (a `jobs` page and a `__typename`), in a query of a few hundred bytes.
 */
export function fragmentBomb(depth: number): string {
  const fragments: string[] = [];
  for (let i = 0; i < depth; i += 1) {
    fragments.push(`fragment F${i} on Query { t${i}: __typename ...F${i + 1} ...F${i + 1} }`);
  }
  fragments.push(`fragment F${depth} on Query { __typename ${JOBS_PAGE} }`);
  return `query FragmentBomb { ...F0 } ${fragments.join(' ')}`;
}

/** `length` numbers where strings are expected (`inputImages: [5,5,...]`): one coercion error each. */
export const wrongTypedList = (length: number): number[] => new Array<number>(length).fill(5);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC over type + data. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData) >>> 0);
  return Buffer.concat([length, typeAndData, crc]);
}

/** IHDR of an 8-bit image: colorType 0 = grey (1 byte/pixel), 2 = RGB. */
function ihdr(width: number, height: number, colorType: 0 | 2): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.writeUInt8(8, 8);
  data.writeUInt8(colorType, 9);
  return pngChunk('IHDR', data);
}

/** A well-formed PNG header claiming `width` x `height` with almost no pixel data behind it. */
export function pngClaiming(width: number, height: number): Buffer {
  const idat = pngChunk('IDAT', deflateSync(Buffer.alloc(width > 0 ? Math.min(width, 1024) + 1 : 1)));
  return Buffer.concat([PNG_SIGNATURE, ihdr(width, height, 2), idat, pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A real, complete grey PNG of `side` x `side` black pixels: a few hundred KB that decode to side^2
 * bytes (a decompression bomb: 10000 -> 100 MB of pixels).
 */
export function pixelBombPng(side: number): Buffer {
  const raw = Buffer.alloc((side + 1) * side); // each row: filter byte 0 + side zero pixels
  const idat = pngChunk('IDAT', deflateSync(raw, { level: 9 }));
  return Buffer.concat([PNG_SIGNATURE, ihdr(side, side, 0), idat, pngChunk('IEND', Buffer.alloc(0))]);
}

/** The first `fraction` of an image's bytes: its header intact, its pixel data cut. */
export const truncated = (image: Buffer, fraction: number): Buffer =>
  image.subarray(0, Math.max(PNG_SIGNATURE.length + 25, Math.floor(image.length * fraction)));

export const dataUri = (mime: string, bytes: Buffer): string =>
  `data:${mime};base64,${bytes.toString('base64')}`;

/** Names JavaScript objects already have: a lookup `table[name]` that is not `Object.hasOwn` finds them. */
export const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
] as const;

/** A client-chosen string never seen before: label flooding sends a new one with every request. */
export const freshLabel = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;
