import { randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';

// Fixed namespace for our name-based UUIDs (a random v4 chosen once; never change it: ids derive from it).
const NAMESPACE = '5b0c7f8e-2f7e-4f55-9a43-3c8f4e7d2a91';

/**
 * A job id. With an idempotency key it is derived from (tenant, key), so the same key from the same
 * tenant can only ever name one workflow (the workflow id is derived from the job id).
 */
export function jobIdFor(tenant: string, idempotencyKey?: string): string {
  if (idempotencyKey === undefined) return randomUUID();
  return uuidv5(`graphql\u0000${tenant}\u0000${idempotencyKey}`, NAMESPACE);
}

/** The job of a /v1 task: one per (tenant, client taskUUID), so a re-sent taskUUID finds the same job. */
export function jobIdForRunwareTask(tenant: string, taskUUID: string): string {
  return uuidv5(`v1\u0000${tenant}\u0000${taskUUID.toLowerCase()}`, NAMESPACE);
}

/** The Runware taskUUID of a job: ours, random, never a client's (taskUUIDs are global at Runware). */
export function newRunwareTaskUUID(): string {
  return randomUUID();
}
