import { checkReference, type ReferenceRejection, samePerson } from '@photomaker/likeness';
import type { ReferenceImage, ReferenceWarning } from '@photomaker/schema';
import type { ReferenceImageCheck, ReferenceImageCheckInput } from '@photomaker/temporal';
import { heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from './deps.ts';
import { permanentFailure } from './failures.ts';

export interface CheckReferencesInput {
  jobId: string;
  /** Blob references only are checked (an image already on Runware has no bytes here). */
  references: ReferenceImage[];
}

/** Small on purpose: it is recorded in history. No face boxes, no embeddings, no bytes. */
export interface CheckReferencesResult {
  /** How many references were checked (blob references). */
  checked: number;
  /** In the order of inputImages; a `referencesDiffer` last. Empty: every check passed. */
  warnings: ReferenceWarning[];
}

const WHY: Record<ReferenceRejection, string> = {
  noFace: 'no face was found',
  multipleFaces: 'it shows more than one face; use a photo of the person alone',
  faceTooSmall: 'the face is too small; use a closer or larger photo',
  tooBlurry: 'the face is too blurry; use a sharp photo',
  profileFace: 'the face is turned too far to the side; use a photo facing the camera',
};

interface CheckedFace {
  index: number;
  embedding: number[];
}

/** One reference: a warning when it is not usable, its face when it is. */
async function checkOne(
  deps: Pick<ActivityDeps, 'blobs'>,
  ref: Extract<ReferenceImage, { kind: 'blob' }>,
  index: number,
): Promise<{ warning: ReferenceWarning } | { face: CheckedFace }> {
  const parameter = `inputImages[${index}]`;
  const bytes = await deps.blobs.get(ref.blob.sha256);
  if (!bytes) {
    throw permanentFailure(
      'referenceImageMissing',
      `Reference image ${parameter} is not in the blob store.`,
      parameter,
    );
  }
  const check = await checkReference(bytes);
  if (check.reason || !check.embedding) {
    const reason = check.reason ?? 'noFace';
    const message = `${parameter} is not a usable reference photo: ${WHY[reason]} (${reason}).`;
    return { warning: { code: 'invalidReferenceImage', parameter, reason, message } };
  }
  return { face: { index, embedding: check.embedding } };
}

/** The usable photos must show one person: the odd one out, when one is not. */
function differWarning(faces: CheckedFace[]): ReferenceWarning | undefined {
  const same = samePerson(faces.map((f) => f.embedding));
  const odd = same.oddOneOut === undefined ? undefined : faces[same.oddOneOut];
  if (!odd) return undefined;
  const parameter = `inputImages[${odd.index}]`;
  const message = `${parameter} does not show the same person as the other reference photos.`;
  return { code: 'referencesDiffer', parameter, message };
}

/** One stored photo on its own, with its face box and measurements (uploadReferenceImage's `check`). */
export function createCheckReferenceImage(deps: Pick<ActivityDeps, 'blobs'>) {
  return async function checkReferenceImage(input: ReferenceImageCheckInput): Promise<ReferenceImageCheck> {
    const bytes = await deps.blobs.get(input.blob.sha256);
    if (!bytes)
      throw permanentFailure('referenceImageMissing', 'The reference image is not in the blob store.');
    const { ok, reason, faceBox, metrics } = await checkReference(bytes);
    const round = (n: number) => Math.round(n * 10) / 10;
    return {
      ok,
      ...(reason ? { reason } : {}),
      ...(faceBox
        ? {
            faceBox: {
              x: Math.round(faceBox.x),
              y: Math.round(faceBox.y),
              width: Math.round(faceBox.width),
              height: Math.round(faceBox.height),
            },
          }
        : {}),
      metrics: {
        eyeDistancePx: round(metrics.eyeDistancePx),
        blur: round(metrics.blur),
        yawDegrees: round(metrics.yawDegrees),
        faceCount: metrics.faceCount,
      },
    };
  };
}

export function createCheckReferences(deps: Pick<ActivityDeps, 'blobs'>) {
  /**
   * The reference-photo gate (issue #17), on the vision task queue: each photo must show one large,
   * sharp, frontal face, and all of them the same person. Reports; the workflow decides (STRICT/WARN).
   */
  return async function checkReferences(input: CheckReferencesInput): Promise<CheckReferencesResult> {
    const warnings: ReferenceWarning[] = [];
    const faces: CheckedFace[] = [];
    let checked = 0;
    // One at a time: each is CPU-bound on this process's one WASM backend.
    for (const [index, ref] of input.references.entries()) {
      if (ref.kind !== 'blob') continue;
      const result = await checkOne(deps, ref, index);
      checked += 1;
      heartbeat();
      if ('warning' in result) warnings.push(result.warning);
      else faces.push(result.face);
    }
    const differ = differWarning(faces);
    if (differ) warnings.push(differ);
    return { checked, warnings };
  };
}
