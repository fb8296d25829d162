import {
  type JobEvent,
  type JobEventOf,
  type JobState,
  normalizeJobId,
  statusForStage as statusOfStage,
} from '@photomaker/schema';
import { GraphQLError } from 'graphql';
import { SlowSubscriberError } from '../../events/push-iterator.ts';
import { type JobEventItem, QUEUE_LIMIT } from '../../jobs/follow-job.ts';
import { builder } from '../builder.ts';
import { badUserInput, notFound } from '../errors.ts';
import { SHARED } from '../shared-subscribe.ts';
import { JobStageEnum, JobStatusEnum } from './enums.ts';
import { JobErrorRef, JobImageRef, JobRef } from './job.ts';
import { DateTimeScalar } from './scalars.ts';

// One item object per event for every subscriber, so graphql-ws executes it once (shared-subscribe.ts).
const items = new WeakMap<JobEvent, JobEventItem>();
function sharedItem(event: JobEvent): JobEventItem {
  let item = items.get(event);
  if (!item) {
    item = Object.assign({ kind: 'event' as const, event }, { [SHARED]: true as const });
    items.set(event, item);
  }
  return item;
}

const seqOf = (item: JobEventItem) => (item.kind === 'snapshot' ? item.state.seq : item.event.seq);
const stageOf = (item: JobEventItem) => (item.kind === 'snapshot' ? item.state.stage : item.event.stage);

const JobEventInterface = builder.interfaceRef<JobEventItem>('JobEvent').implement({
  description:
    'A step of a job. The first item of jobEvents is a JobSnapshot; every later item is one logged event, in seq order.',
  fields: (t) => ({
    jobId: t.id({ resolve: (item) => (item.kind === 'snapshot' ? item.state.jobId : item.event.jobId) }),
    seq: t.int({
      description:
        'Per-job sequence number (gap-free from 1). Resubscribe with afterSeq = the last seq you saw.',
      resolve: seqOf,
    }),
    at: t.field({
      type: DateTimeScalar,
      resolve: (item) => (item.kind === 'snapshot' ? item.at : item.event.at),
    }),
    stage: t.field({ type: JobStageEnum, resolve: stageOf }),
    status: t.field({
      type: JobStatusEnum,
      resolve: (item) => (item.kind === 'snapshot' ? item.state.status : statusOfStage(item.event.stage)),
    }),
  }),
  resolveType: (item) => (item.kind === 'snapshot' ? 'JobSnapshot' : TYPE_BY_STAGE[item.event.stage]),
});

const TYPE_BY_STAGE: Record<JobEvent['stage'], string> = {
  queued: 'JobQueued',
  uploading_references: 'JobUploadingReferences',
  submitted: 'JobSubmitted',
  image_ready: 'JobImageReady',
  delivering: 'JobDelivering',
  succeeded: 'JobSucceeded',
  failed: 'JobFailed',
  cancelled: 'JobCancelled',
};

const dataOf = <S extends JobEvent['stage']>(item: JobEventItem): JobEventOf<S>['data'] =>
  (item as { event: JobEvent }).event.data as JobEventOf<S>['data'];

builder.objectRef<JobEventItem>('JobSnapshot').implement({
  interfaces: [JobEventInterface],
  description: 'The whole job as of `seq` (the first item of every subscription).',
  isTypeOf: (item) => (item as JobEventItem).kind === 'snapshot',
  fields: (t) => ({
    job: t.field({ type: JobRef, resolve: (item) => (item as { state: JobState }).state }),
  }),
});

const isEvent = (item: unknown, stage: JobEvent['stage']) =>
  (item as JobEventItem).kind === 'event' && (item as { event: JobEvent }).event.stage === stage;

builder.objectRef<JobEventItem>('JobQueued').implement({
  interfaces: [JobEventInterface],
  description: 'Accepted; waiting for a worker.',
  isTypeOf: (item) => isEvent(item, 'queued'),
  fields: (t) => ({
    numberResults: t.int({ resolve: (item) => dataOf<'queued'>(item).numberResults }),
  }),
});

builder.objectRef<JobEventItem>('JobUploadingReferences').implement({
  interfaces: [JobEventInterface],
  description: 'Uploading reference photos to Runware.',
  isTypeOf: (item) => isEvent(item, 'uploading_references'),
  fields: (t) => ({
    count: t.int({ resolve: (item) => dataOf<'uploading_references'>(item).count }),
  }),
});

builder.objectRef<JobEventItem>('JobSubmitted').implement({
  interfaces: [JobEventInterface],
  description: 'The task is with Runware.',
  isTypeOf: (item) => isEvent(item, 'submitted'),
  fields: (t) => ({
    runwareTaskUUID: t.id({ resolve: (item) => dataOf<'submitted'>(item).runwareTaskUUID }),
    numberResults: t.int({ resolve: (item) => dataOf<'submitted'>(item).numberResults }),
  }),
});

builder.objectRef<JobEventItem>('JobImageReady').implement({
  interfaces: [JobEventInterface],
  description: 'Image index+1 of total is ready.',
  isTypeOf: (item) => isEvent(item, 'image_ready'),
  fields: (t) => ({
    index: t.int({ resolve: (item) => dataOf<'image_ready'>(item).index }),
    total: t.int({ resolve: (item) => dataOf<'image_ready'>(item).total }),
    image: t.field({ type: JobImageRef, resolve: (item) => dataOf<'image_ready'>(item).image }),
  }),
});

builder.objectRef<JobEventItem>('JobDelivering').implement({
  interfaces: [JobEventInterface],
  description: 'Delivering to webhookURL / uploadEndpoint.',
  isTypeOf: (item) => isEvent(item, 'delivering'),
  fields: (t) => ({
    webhook: t.boolean({ resolve: (item) => dataOf<'delivering'>(item).webhook }),
    uploadEndpoint: t.boolean({ resolve: (item) => dataOf<'delivering'>(item).uploadEndpoint }),
  }),
});

builder.objectRef<JobEventItem>('JobSucceeded').implement({
  interfaces: [JobEventInterface],
  description: 'Terminal: every image is ready (and delivered).',
  isTypeOf: (item) => isEvent(item, 'succeeded'),
  fields: (t) => ({
    imageCount: t.int({ resolve: (item) => dataOf<'succeeded'>(item).imageCount }),
    cost: t.float({ nullable: true, resolve: (item) => dataOf<'succeeded'>(item).cost }),
  }),
});

builder.objectRef<JobEventItem>('JobFailed').implement({
  interfaces: [JobEventInterface],
  description: 'Terminal: the job failed.',
  isTypeOf: (item) => isEvent(item, 'failed'),
  fields: (t) => ({
    error: t.field({ type: JobErrorRef, resolve: (item) => dataOf<'failed'>(item).error }),
  }),
});

builder.objectRef<JobEventItem>('JobCancelled').implement({
  interfaces: [JobEventInterface],
  description: 'Terminal: the job was cancelled.',
  isTypeOf: (item) => isEvent(item, 'cancelled'),
  fields: (t) => ({
    reason: t.string({ nullable: true, resolve: (item) => dataOf<'cancelled'>(item).reason ?? null }),
  }),
});

builder.subscriptionField('jobEvents', (t) =>
  t.field({
    type: JobEventInterface,
    description:
      'A JobSnapshot of the job, then every event after max(afterSeq, snapshot seq) in order; completes after the ' +
      'terminal event (at once if the job has already finished). A job that ends without one (terminated by an ' +
      'operator, timed out) ends with a final JobSnapshot of how it ended. Reconnect with afterSeq = last seq seen ' +
      'to miss nothing.',
    args: {
      jobId: t.arg.id({ required: true }),
      afterSeq: t.arg.int({ description: 'The last seq you saw (0 or omitted: from the start).' }),
    },
    subscribe: async (_root, { jobId, afterSeq }, ctx) => {
      if (afterSeq !== null && afterSeq !== undefined && afterSeq < 0) {
        throw badUserInput(
          [
            {
              code: 'invalidAfterSeq',
              parameter: 'afterSeq',
              message: "Invalid value for 'afterSeq': it must be 0 or more.",
            },
          ],
          'afterSeq',
        );
      }
      const id = normalizeJobId(String(jobId));
      const { follow, subscriptions } = ctx.deps;
      const stream = id
        ? await follow.follow(ctx.tenant, id, {
            afterSeq: afterSeq ?? 0,
            logger: ctx.logger,
            itemOf: sharedItem,
            overflow: () =>
              new GraphQLError(new SlowSubscriberError(QUEUE_LIMIT).message, {
                extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
              }),
            onOpen: () => subscriptions.inc(),
            onClose: () => subscriptions.dec(),
          })
        : undefined;
      if (!stream) throw notFound('job');
      return stream;
    },
    resolve: (item) => item,
  }),
);
