import { describe, expect, it } from 'vitest';
import { eyeDistance, laplacianVariance, meanEmbedding, type Point, yawDegrees } from '../src/index.ts';

/** 68 points with only the ones the measures read placed: jaw sides 1/15, nose tip 30, eye corners 36/45. */
function landmarks(noseX: number, roll = 0): Point[] {
  const pts: Point[] = Array.from({ length: 68 }, () => ({ x: 0, y: 0 }));
  const rot = (x: number, y: number): Point => ({
    x: x * Math.cos(roll) - y * Math.sin(roll),
    y: x * Math.sin(roll) + y * Math.cos(roll),
  });
  pts[1] = rot(0, 0);
  pts[15] = rot(100, 0);
  pts[30] = rot(noseX, 30);
  pts[36] = rot(20, -10);
  pts[45] = rot(80, -10);
  return pts;
}

describe('face measures', () => {
  it('yaw is 0 for a centred nose, grows towards the jaw side, ignores roll', () => {
    expect(yawDegrees(landmarks(50))).toBeCloseTo(0, 5);
    expect(yawDegrees(landmarks(75))).toBeCloseTo(30, 5);
    expect(yawDegrees(landmarks(25))).toBeCloseTo(-30, 5);
    expect(yawDegrees(landmarks(100))).toBeCloseTo(90, 5);
    expect(yawDegrees(landmarks(75, 0.5))).toBeCloseTo(30, 5);
  });

  it('eye distance is between the outer corners', () => {
    expect(eyeDistance(landmarks(50))).toBeCloseTo(60, 5);
  });

  it('Laplacian variance is 0 on a flat image and high on a checkerboard', () => {
    const flat = new Uint8Array(64).fill(128);
    expect(laplacianVariance(flat, 8, 8)).toBe(0);
    const checker = Uint8Array.from({ length: 64 }, (_, i) => (((i % 8) + Math.floor(i / 8)) % 2 ? 255 : 0));
    expect(laplacianVariance(checker, 8, 8)).toBeGreaterThan(100_000);
  });

  it('mean embedding averages element-wise', () => {
    expect(
      meanEmbedding([
        [0, 2],
        [2, 4],
      ]),
    ).toEqual([1, 3]);
    expect(() => meanEmbedding([])).toThrow(RangeError);
  });
});
