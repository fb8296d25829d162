import {
  type ImageScore,
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
import { JobErrorRef, JobImageRef, JobRef, ReferenceWarningRef } from './job.ts';
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

type QueueItem = Extract<JobEventItem, { kind: 'queue' }>;

function seqOf(item: JobEventItem): number {
  if (item.kind === 'snapshot') return item.state.seq;
  return item.kind === 'queue' ? item.seq : item.event.seq;
}
function stageOf(item: JobEventItem): JobEvent['stage'] {
  if (item.kind === 'snapshot') return item.state.stage;
  return item.kind === 'queue' ? 'queued' : item.event.stage;
}
function atOf(item: JobEventItem): string {
  return item.kind === 'event' ? item.event.at : item.at;
}
function jobIdOf(item: JobEventItem): string {
  if (item.kind === 'snapshot') return item.state.jobId;
  return item.kind === 'queue' ? item.jobId : item.event.jobId;
}
const queueOf = (item: JobEventItem) =>
  (item as QueueItem).kind === 'queue' ? (item as QueueItem).update : undefined;

const JobEventInterface = builder.interfaceRef<JobEventItem>('JobEvent').implement({
  description:
    'A step of a job. The first item of jobEvents is a JobSnapshot; every later item is one logged event, in seq order.',
  fields: (t) => ({
    jobId: t.id({ resolve: jobIdOf }),
    seq: t.int({
      description:
        'Per-job sequence number (gap-free from 1). Resubscribe with afterSeq = the last seq you saw.',
      resolve: seqOf,
    }),
    at: t.field({ type: DateTimeScalar, resolve: atOf }),
    stage: t.field({ type: JobStageEnum, resolve: stageOf }),
    status: t.field({
      type: JobStatusEnum,
      resolve: (item) => (item.kind === 'snapshot' ? item.state.status : statusOfStage(stageOf(item))),
    }),
  }),
  resolveType: (item) => (item.kind === 'snapshot' ? 'JobSnapshot' : TYPE_BY_STAGE[stageOf(item)]),
});

const TYPE_BY_STAGE: Record<JobEvent['stage'], string> = {
  queued: 'JobQueued',
  references_checked: 'JobReferencesChecked',
  uploading_references: 'JobUploadingReferences',
  submitted: 'JobSubmitted',
  image_ready: 'JobImageReady',
  images_scored: 'JobImagesScored',
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
  description:
    'Accepted; waiting for a slot. Logged once (durable: true), then, while the job waits in the admission queue, ' +
    'live updates (durable: false) when its position changes or an estimate moves by 2 s or more, at most one ' +
    'per job per second. A live update repeats the seq of the last logged event and is not replayed on resume: ' +
    'the snapshot carries Job.queuePosition, and the next update comes within a second.',
  isTypeOf: (item) => isEvent(item, 'queued') || (item as JobEventItem).kind === 'queue',
  fields: (t) => ({
    numberResults: t.int({
      resolve: (item) => (item.kind === 'queue' ? item.numberResults : dataOf<'queued'>(item).numberResults),
    }),
    durable: t.boolean({
      description:
        'true: the logged event (gap-free seq). false: a live queue update (its seq repeats the last one).',
      resolve: (item) => item.kind !== 'queue',
    }),
    position: t.int({
      nullable: true,
      description: '1-based place in the admission queue (1 starts next); null on the logged event.',
      resolve: (item) => queueOf(item)?.position ?? null,
    }),
    estimatedStartAt: t.field({
      type: DateTimeScalar,
      nullable: true,
      resolve: (item) => queueOf(item)?.estimatedStartAt ?? null,
    }),
    estimatedFinishAt: t.field({
      type: DateTimeScalar,
      nullable: true,
      resolve: (item) => queueOf(item)?.estimatedFinishAt ?? null,
    }),
  }),
});

builder.objectRef<JobEventItem>('JobReferencesChecked').implement({
  interfaces: [JobEventInterface],
  description:
    'The reference photos were checked before anything was sent to Runware (referenceCheck STRICT or WARN); warnings are empty when every photo passed.',
  isTypeOf: (item) => isEvent(item, 'references_checked'),
  fields: (t) => ({
    warnings: t.field({
      type: [ReferenceWarningRef],
      resolve: (item) => dataOf<'references_checked'>(item).warnings,
    }),
  }),
});

const ImageScoreRef = builder.objectRef<ImageScore>('ImageScore').implement({
  description: 'The likeness score of one image of the job.',
  fields: (t) => ({
    index: t.exposeInt('index'),
    likeness: t.exposeFloat('likeness'),
    faceFound: t.exposeBoolean('faceFound'),
    belowMinLikeness: t.exposeBoolean('belowMinLikeness', { nullable: true }),
  }),
});

builder.objectRef<JobEventItem>('JobImagesScored').implement({
  interfaces: [JobEventInterface],
  description:
    "Every image's likeness to the reference photos was measured (jobs with a reference check), before the job ends; the scores are also on Job.images.",
  isTypeOf: (item) => isEvent(item, 'images_scored'),
  fields: (t) => ({
    scores: t.field({ type: [ImageScoreRef], resolve: (item) => dataOf<'images_scored'>(item).scores }),
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
            logger: () => ctx.logger,
            itemOf: sharedItem,
            overflow: () =>
              new GraphQLError(new SlowSubscriberError(QUEUE_LIMIT).message, {
                extensions: { code: 'SUBSCRIBER_TOO_SLOW' },
              }),
            queueUpdates: true,
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
