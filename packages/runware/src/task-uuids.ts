import { createHash } from 'node:crypto';

// taskUUIDs fixed by what they stand for, so a re-sent task carries the same one (Runware answers
// conflictTaskUUID, or getTaskDetails finds it, instead of running and charging it twice).

/**
 * A UUID v4-shaped id derived from a base UUID and a label: the same on every retry, so a re-sent
 * imageUpload carries the same taskUUID (Runware answers conflictTaskUUID instead of storing it twice).
 */
export function derivedUuid(base: string, label: string): string {
  const bytes = createHash('sha256').update(`${base}:${label}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The taskUUID of image `index` of a job sent one Runware task per image: its `followUp`-th task (0: the
 * first; later ones after its generation failed), derived from the job's own taskUUID.
 */
export function imageTaskUUID(jobTaskUUID: string, index: number, followUp = 0): string {
  return derivedUuid(jobTaskUUID, followUp === 0 ? `image-${index}` : `image-${index}-follow-up-${followUp}`);
}
