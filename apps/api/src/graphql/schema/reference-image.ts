import type { ReferenceImageCheck } from '@photomaker/temporal';
import { REFERENCE_TTL_SECONDS, type StoredReference } from '../../jobs/reference-images.ts';
import { builder } from '../builder.ts';
import { rethrowAsGraphQL } from './job-operations.ts';
import { DateTimeScalar } from './scalars.ts';

const FaceBoxRef = builder.objectRef<NonNullable<ReferenceImageCheck['faceBox']>>('FaceBox').implement({
  description: "Where the face is, in the photo's pixels.",
  fields: (t) => ({
    x: t.exposeInt('x'),
    y: t.exposeInt('y'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
  }),
});

const ReferenceImageCheckRef = builder.objectRef<ReferenceImageCheck>('ReferenceImageCheck').implement({
  description:
    'Whether the photo is usable as a reference (the check referenceCheck STRICT / WARN runs before a job).',
  fields: (t) => ({
    ok: t.exposeBoolean('ok'),
    reason: t.exposeString('reason', {
      nullable: true,
      description: 'Why not: noFace, multipleFaces, faceTooSmall, tooBlurry or profileFace.',
    }),
    faceBox: t.field({ type: FaceBoxRef, nullable: true, resolve: (check) => check.faceBox ?? null }),
    faceCount: t.int({ resolve: (check) => check.metrics.faceCount }),
    eyeDistancePx: t.float({
      description: "Between the eyes' outer corners.",
      resolve: (check) => check.metrics.eyeDistancePx,
    }),
    blur: t.float({
      description: 'Variance of the Laplacian on the face (higher is sharper).',
      resolve: (check) => check.metrics.blur,
    }),
    yawDegrees: t.float({
      description: '0 facing the camera.',
      resolve: (check) => check.metrics.yawDegrees,
    }),
  }),
});

const ReferenceImage = builder.objectRef<StoredReference>('ReferenceImage').implement({
  description:
    'An uploaded reference photo. Pass its id in PhotoMakerInput.inputImages (only you can use it).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'A UUID v4, valid in inputImages for 30 days after its last use.' }),
    url: t.string({
      description: 'Signed, expiring URL of the stored photo.',
      resolve: (ref, _args, ctx) => ctx.deps.imageUrls.urlFor(ref.blob),
    }),
    mediaType: t.string({ resolve: (ref) => ref.blob.mediaType }),
    size: t.int({ description: 'Bytes.', resolve: (ref) => ref.blob.size }),
    sha256: t.string({ resolve: (ref) => ref.blob.sha256 }),
    createdAt: t.field({ type: DateTimeScalar, resolve: (ref) => ref.createdAt }),
    check: t.field({
      type: ReferenceImageCheckRef,
      nullable: true,
      description:
        'The face check of this photo (one large, sharp, frontal face), with the detected face box; computed when asked, ~1 s. Null when no vision worker answered in time (the upload itself stands).',
      resolve: async (ref, _args, ctx) => {
        try {
          return await ctx.deps.jobs.checkReferenceImage(ref.blob);
        } catch (error) {
          ctx.logger.warn({ err: error }, 'reference photo check failed');
          return null;
        }
      },
    }),
    expiresAt: t.field({
      type: DateTimeScalar,
      description: 'Unless used before then (each use extends it).',
      resolve: (ref) => new Date(Date.parse(ref.createdAt) + REFERENCE_TTL_SECONDS * 1000).toISOString(),
    }),
  }),
});

builder.mutationField('uploadReferenceImage', (t) =>
  t.field({
    type: ReferenceImage,
    description:
      'Stores a reference photo once (data URI, raw base64, or an http(s) URL fetched through the SSRF guard) ' +
      'so jobs can reference it by id instead of resending the bytes. One still PNG, JPEG or WEBP that decodes completely, ' +
      'at most PHOTOMAKER_MAX_IMAGE_BYTES and PHOTOMAKER_MAX_IMAGE_PIXELS; it counts against your image storage quota.',
    args: { image: t.arg.string({ required: true }) },
    resolve: async (_root, { image }, ctx) => {
      try {
        return await ctx.deps.uploads.upload(ctx.tenant, image, 'image');
      } catch (error) {
        rethrowAsGraphQL(error, 'image');
      }
    },
  }),
);
