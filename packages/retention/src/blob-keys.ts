import { familyPrefix, type KeyLayout } from '@photomaker/events';

// Every key of the `blobs` family shares one hash tag on a Redis Cluster: the scripts that update a
// blob's holds, its tenants' usage and the live set run in one slot.

/** Prefix of the family (hash-tagged on a cluster). */
export const blobsPrefix = (layout: KeyLayout) => familyPrefix('blobs', layout);
/** A tenant's blobs (`<sha256>:<size>`, scored by when that use ends): its storage quota. */
export const tenantBlobsKey = (tenant: string, layout: KeyLayout) =>
  `${familyPrefix('blobs', layout)}:tenant:${tenant}`;
/** The sum of a tenant's live blob sizes. */
export const tenantBytesKey = (tenant: string, layout: KeyLayout) =>
  `${familyPrefix('blobs', layout)}:tenant:${tenant}:bytes`;
/** Every blob some tenant still uses, scored by when that use ends: what garbage collection keeps. */
export const liveBlobsKey = (layout: KeyLayout = 'single') => `${familyPrefix('blobs', layout)}:live`;
/** Who holds one blob: `<tenant>\n<holder>` scored by when the hold lapses (retention). */
export const blobHoldsKey = (sha256: string, layout: KeyLayout) =>
  `${familyPrefix('blobs', layout)}:holds:${sha256}`;
/** Each held blob scored by when its last hold lapses: what the retention sweep visits. */
export const blobsDueKey = (layout: KeyLayout) => `${familyPrefix('blobs', layout)}:due`;

/** Redis key: reference bytes (by sha256) -> the Runware imageUUID they were uploaded as (the worker's cache). */
export const runwareUploadKey = (sha256: string) => `photomaker:runware:image:${sha256}`;

/** An uploaded reference image of a tenant: its id -> its BlobRef (apps/api reference-images.ts). */
export const referenceImageKey = (tenant: string, id: string) =>
  `photomaker:refimg:${tenant}:${id.toLowerCase()}`;
