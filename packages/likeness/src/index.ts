export type { DetectedFace, Detection, FaceBox } from './detect.ts';
export { detectFaces } from './detect.ts';
export { type LikenessResult, likeness, likenessFromDistance } from './likeness.ts';
export {
  euclidean,
  eyeDistance,
  laplacianVariance,
  meanEmbedding,
  type Point,
  yawDegrees,
} from './metrics.ts';
export { faceModels } from './models.ts';
export {
  checkReference,
  REFERENCE_REJECTIONS,
  type ReferenceCheck,
  type ReferenceMetrics,
  type ReferenceRejection,
  referenceRejection,
} from './reference-check.ts';
export { type SamePersonResult, samePerson } from './same-person.ts';
export * from './thresholds.ts';
