/** Pure measurements on a detected face: no model, so they are testable with plain numbers. */

export interface Point {
  readonly x: number;
  readonly y: number;
}

// 68-point (iBUG 300-W) indices.
const JAW_LEFT = 1;
const JAW_RIGHT = 15;
const NOSE_TIP = 30;
const EYE_LEFT_OUTER = 36;
const EYE_RIGHT_OUTER = 45;

function at(points: readonly Point[], i: number): Point {
  const p = points[i];
  if (!p) throw new RangeError(`landmark ${i} missing: expected 68 points, got ${points.length}`);
  return p;
}

/** Distance between the eyes' outer corners, in the points' pixels. */
export function eyeDistance(points: readonly Point[]): number {
  const a = at(points, EYE_LEFT_OUTER);
  const b = at(points, EYE_RIGHT_OUTER);
  return Math.hypot(b.x - a.x, b.y - a.y);
}

/**
 * Head yaw in degrees (0 frontal, 90 full profile; sign says which way), from where the nose tip sits
 * between the two sides of the jaw along the jaw line (so head roll does not count). On a cylinder-like
 * head the nose moves by sin(yaw) of the half width, hence the asin.
 */
export function yawDegrees(points: readonly Point[]): number {
  const l = at(points, JAW_LEFT);
  const r = at(points, JAW_RIGHT);
  const n = at(points, NOSE_TIP);
  const dx = r.x - l.x;
  const dy = r.y - l.y;
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return 90;
  const t = ((n.x - l.x) * dx + (n.y - l.y) * dy) / len2; // 0.5 when the nose is centred
  const s = Math.max(-1, Math.min(1, 2 * t - 1));
  return (Math.asin(s) * 180) / Math.PI;
}

/**
 * Variance of the 4-neighbour Laplacian over a greyscale image (row-major, one byte per pixel):
 * the classic focus measure; low means few sharp edges.
 */
export function laplacianVariance(grey: Uint8Array, width: number, height: number): number {
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const v =
        (grey[i - 1] ?? 0) +
        (grey[i + 1] ?? 0) +
        (grey[i - width] ?? 0) +
        (grey[i + width] ?? 0) -
        4 * (grey[i] ?? 0);
      sum += v;
      sumSq += v * v;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

export function euclidean(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new RangeError(`embedding lengths differ: ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    s += d * d;
  }
  return Math.sqrt(s);
}

export function meanEmbedding(embeddings: readonly (readonly number[])[]): number[] {
  const first = embeddings[0];
  if (!first) throw new RangeError('meanEmbedding needs at least one embedding');
  const out = new Array<number>(first.length).fill(0);
  for (const e of embeddings) {
    if (e.length !== first.length) throw new RangeError('embeddings differ in length');
    for (let i = 0; i < e.length; i++) out[i] = (out[i] ?? 0) + (e[i] ?? 0) / embeddings.length;
  }
  return out;
}
