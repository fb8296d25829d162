import type { ErasureReport } from '@photomaker/retention';
import { normalizeJobId } from '@photomaker/schema';
import { builder } from '../builder.ts';
import { notFound } from '../errors.ts';

const WorkflowErasureEnum = builder.enumType('WorkflowErasure', {
  description: "What became of the job's Temporal execution (history and visibility).",
  values: {
    DELETED: { value: 'deleted', description: 'Deleted now (Temporal removes history and visibility).' },
    ABSENT: {
      value: 'absent',
      description: 'Already gone (deleted before, or past the namespace retention).',
    },
    PENDING: {
      value: 'pending',
      description:
        'The job was cancelled but had not closed yet: the retention sweep deletes it once closed.',
    },
  } as const,
});

interface Erased extends ErasureReport {
  id: string;
}

const ErasureRef = builder.objectRef<Erased>('Erasure').implement({
  description:
    'What a deletion erased: counts and kinds only. Blobs are deleted only when nothing else holds them ' +
    '(another of your live jobs or reference images, or another tenant that sent the same bytes).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The job or reference image id.' }),
    outputImages: t.exposeInt('outputImages', { description: 'Output images whose bytes were deleted.' }),
    referenceImages: t.exposeInt('referenceImages', {
      description: 'Reference photos whose bytes were deleted.',
    }),
    referenceImagesKept: t.exposeInt('referenceImagesKept', {
      description: 'Reference photos kept because something else still holds them.',
    }),
    runwareUploads: t.exposeInt('runwareUploads', {
      description:
        "Cached Runware upload ids dropped (Runware's own copy expires on Runware's side: see the README).",
    }),
    redisKeys: t.exposeInt('redisKeys', {
      description: 'Redis keys removed (event stream, job record, owner keys).',
    }),
    workflow: t.field({ type: WorkflowErasureEnum, resolve: (erased) => erased.workflow }),
  }),
});

builder.mutationField('deleteJob', (t) =>
  t.field({
    type: ErasureRef,
    description:
      'Erases one of your jobs: its output images, its reference photos unless another of your live jobs ' +
      'uses them, its event stream and record, cached Runware upload ids, and its Temporal execution. A ' +
      'queued or running job is cancelled first (a queued one gives up its place). NOT_FOUND when the job is not yours or is already erased (repeating ' +
      'a deletion is safe: it erases nothing more).',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const jobId = normalizeJobId(String(id));
      const report = jobId ? await ctx.deps.erasure.deleteJob(ctx.tenant, jobId) : undefined;
      if (!(report && jobId)) throw notFound('job');
      return { id: jobId, ...report };
    },
  }),
);

builder.mutationField('deleteReferenceImage', (t) =>
  t.field({
    type: ErasureRef,
    description:
      'Erases one of your uploaded reference photos: its id at once, its bytes unless one of your live jobs ' +
      'or another reference image holds them (then they go with the last holder). NOT_FOUND when the id ' +
      'is not yours or is already erased.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const refId = String(id).trim().toLowerCase();
      const report = /^[0-9a-f-]{36}$/.test(refId)
        ? await ctx.deps.erasure.deleteReferenceImage(ctx.tenant, refId)
        : undefined;
      if (!report) throw notFound('reference image');
      return { id: refId, ...report };
    },
  }),
);
