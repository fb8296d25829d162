import { detectFaces, type FaceBox } from './detect.ts';
import { eyeDistance, yawDegrees } from './metrics.ts';
import { MAX_YAW_DEGREES, MIN_EYE_DISTANCE_PX, MIN_FACE_BLUR } from './thresholds.ts';

export const REFERENCE_REJECTIONS = [
  'noFace',
  'multipleFaces',
  'faceTooSmall',
  'tooBlurry',
  'profileFace',
] as const;
export type ReferenceRejection = (typeof REFERENCE_REJECTIONS)[number];

export interface ReferenceMetrics {
  /** Distance between the eyes' outer corners, original pixels. */
  readonly eyeDistancePx: number;
  /** Variance of the Laplacian on the face crop (128 px square). */
  readonly blur: number;
  /** Degrees; 0 frontal. */
  readonly yawDegrees: number;
  readonly faceCount: number;
}

export interface ReferenceCheck {
  readonly ok: boolean;
  /** First failed rule, in the order of REFERENCE_REJECTIONS. */
  readonly reason?: ReferenceRejection;
  /** The (largest) face, original pixels; absent when there is no face. */
  readonly faceBox?: FaceBox;
  readonly embedding?: number[];
  readonly metrics: ReferenceMetrics;
}

/** The first rule a reference's measurements break, in the order of REFERENCE_REJECTIONS. */
export function referenceRejection(m: ReferenceMetrics): ReferenceRejection | undefined {
  if (m.faceCount === 0) return 'noFace';
  if (m.faceCount > 1) return 'multipleFaces';
  if (m.eyeDistancePx < MIN_EYE_DISTANCE_PX) return 'faceTooSmall';
  if (m.blur < MIN_FACE_BLUR) return 'tooBlurry';
  if (Math.abs(m.yawDegrees) > MAX_YAW_DEGREES) return 'profileFace';
  return undefined;
}

/** Is this photo usable as a PhotoMaker reference: one sharp, large enough, frontal face? */
export async function checkReference(bytes: Uint8Array): Promise<ReferenceCheck> {
  const { faces } = await detectFaces(bytes);
  const face = faces[0];
  if (!face) {
    return {
      ok: false,
      reason: 'noFace',
      metrics: { eyeDistancePx: 0, blur: 0, yawDegrees: 0, faceCount: 0 },
    };
  }
  const metrics: ReferenceMetrics = {
    eyeDistancePx: eyeDistance(face.landmarks),
    blur: face.blur,
    yawDegrees: yawDegrees(face.landmarks),
    faceCount: faces.length,
  };
  const reason = referenceRejection(metrics);
  return {
    ok: reason === undefined,
    ...(reason ? { reason } : {}),
    faceBox: face.box,
    embedding: face.embedding,
    metrics,
  };
}
