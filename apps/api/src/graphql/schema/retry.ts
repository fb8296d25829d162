import { normalizeJobId } from '@photomaker/schema';
import type { RetryResult } from '../../jobs/job-retries.ts';
import { builder } from '../builder.ts';
import { badUserInput, limitExceeded, notFound } from '../errors.ts';
import { JobRef } from './job.ts';

/** A refused retry -> NOT_FOUND, BAD_USER_INPUT on `id` (not retryable) or the submission's own error. */
function retryError(result: Exclude<RetryResult, { ok: true }>, jobId: string): never {
  switch (result.reason) {
    case 'not-found':
      throw notFound('job');
    case 'not-retryable':
      throw badUserInput(
        [
          {
            code: 'jobNotRetryable',
            parameter: 'id',
            message: `Invalid value for 'id': job ${jobId} is ${result.status}; only a FAILED, CANCELLED or timed-out job can be retried.`,
          },
        ],
        'id',
      );
    case 'limited':
      throw limitExceeded(result.refusal);
    case 'invalid':
      throw badUserInput(
        result.errors,
        result.errors[0]?.parameter === 'idempotencyKey' ? 'idempotencyKey' : 'id',
      );
    default:
      throw new Error('a retry cannot be refused as existing');
  }
}

builder.mutationField('retryJob', (t) =>
  t.field({
    type: JobRef,
    description:
      "A new job from one of your FAILED, CANCELLED or timed-out jobs: its task and the same reference photos, a new job id and Runware taskUUIDs; counted against your limits like any submission. The new job's retryOf names the original; the original lists it in retries.",
    args: {
      id: t.arg.id({ required: true }),
      idempotencyKey: t.arg.string({
        description: '1-255 printable ASCII characters: the same key returns the same retry.',
      }),
    },
    resolve: async (_root, args, ctx) => {
      const jobId = normalizeJobId(String(args.id));
      if (!jobId) throw notFound('job');
      const result = await ctx.deps.retry.retry({
        tenant: ctx.tenant,
        jobId,
        keyId: ctx.keyId,
        defaultPriority: ctx.defaultPriority,
        defaultReferenceCheck: ctx.defaultReferenceCheck,
        limits: ctx.limits,
        logger: ctx.logger,
        requestId: ctx.requestId,
        idempotencyKey: args.idempotencyKey ?? undefined,
      });
      if (!result.ok) retryError(result, jobId);
      return result.state;
    },
  }),
);

builder.objectField(JobRef, 'retryOf', (t) =>
  t.field({
    type: JobRef,
    nullable: true,
    description: 'The job this one retries (retryJob); null for a first attempt or when that job is gone.',
    resolve: async (job, _args, ctx) =>
      job.retryOf ? ((await ctx.deps.reads.get(ctx.tenant, job.retryOf)) ?? null) : null,
  }),
);

builder.objectField(JobRef, 'retries', (t) =>
  t.field({
    type: [JobRef],
    description: 'The jobs that retry this one, oldest first (at most 50; kept 90 days).',
    resolve: async (job, _args, ctx) => {
      const ids = await ctx.deps.retries.list(job.jobId);
      const states = await Promise.all(ids.map((id) => ctx.deps.reads.get(ctx.tenant, id)));
      return states.filter((state) => state !== undefined);
    },
  }),
);

builder.objectField(JobRef, 'retryOfId', (t) =>
  t.id({
    nullable: true,
    description: 'The id of the job this one retries (also when that job is gone).',
    resolve: (job) => job.retryOf ?? null,
  }),
);
