/**
 * Decision thresholds. Numbers and how they were measured: README.md ("Thresholds"), reproduced by
 * `node scripts/calibrate.ts` on the sample photos shipped in @vladmandic/face-api.
 */

/** Distance between the eyes' outer corners below which a reference is `faceTooSmall` (original px). */
export const MIN_EYE_DISTANCE_PX = 60;
/** Variance of the Laplacian on the 128 px face crop below which a reference is `tooBlurry`. */
export const MIN_FACE_BLUR = 25;
/** |yaw| above which a reference is `profileFace`, in degrees. */
export const MAX_YAW_DEGREES = 45;
/** Embedding distance above which two references are taken as different people. */
export const SAME_PERSON_MAX_DISTANCE = 0.55;
