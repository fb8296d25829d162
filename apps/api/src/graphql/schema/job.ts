import type {
  JobError,
  JobImage,
  JobState,
  JobTask,
  Lora,
  ReferenceImage,
  ReferenceWarning,
  Safety,
} from '@photomaker/schema';
import { type QueueUpdate, queueUpdateOf } from '../../events/queue-watch.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import {
  DeliveryMethodEnum,
  JobPriorityEnum,
  JobStageEnum,
  JobStatusEnum,
  OutputFormatEnum,
  OutputTypeEnum,
  PromptWeightingEnum,
  SafetyModeEnum,
  StyleEnum,
} from './enums.ts';
import { DateTimeScalar, SeedScalar } from './scalars.ts';

const SafetyRef = builder.objectRef<Safety>('Safety').implement({
  fields: (t) => ({
    checkContent: t.exposeBoolean('checkContent', { nullable: true }),
    mode: t.field({ type: SafetyModeEnum, nullable: true, resolve: (s) => s.mode }),
  }),
});

const LoraRef = builder.objectRef<Lora>('Lora').implement({
  fields: (t) => ({
    model: t.exposeString('model', { description: 'The LoRA as an AIR id.' }),
    weight: t.exposeFloat('weight'),
  }),
});

const InputImageKindEnum = builder.enumType('InputImageKind', {
  values: {
    BLOB: {
      value: 'blob',
      description: 'Bytes held by this platform (uploaded, inline or fetched from a URL).',
    },
    RUNWARE: { value: 'runware', description: 'An image already on Runware, referenced by its UUID.' },
  } as const,
});

const JobInputImage = builder.objectRef<ReferenceImage>('JobInputImage').implement({
  description: 'A reference photo of a job, by reference (claim check): never the bytes inline.',
  fields: (t) => ({
    kind: t.field({ type: InputImageKindEnum, resolve: (image) => image.kind }),
    imageUUID: t.id({
      nullable: true,
      resolve: (image) => (image.kind === 'runware' ? image.imageUUID : null),
    }),
    sha256: t.string({
      nullable: true,
      resolve: (image) => (image.kind === 'blob' ? image.blob.sha256 : null),
    }),
    mediaType: t.string({
      nullable: true,
      resolve: (image) => (image.kind === 'blob' ? image.blob.mediaType : null),
    }),
    size: t.int({ nullable: true, resolve: (image) => (image.kind === 'blob' ? image.blob.size : null) }),
    url: t.string({
      nullable: true,
      description: 'A signed, expiring URL of the photo, served by this API.',
      resolve: (image, _args, ctx) => (image.kind === 'blob' ? ctx.deps.imageUrls.urlFor(image.blob) : null),
    }),
  }),
});

const JobTaskRef = builder.objectRef<JobTask>('JobTask').implement({
  description: 'The normalized task the job runs: validated, defaults applied, "rwre" rule applied.',
  fields: (t) => ({
    positivePrompt: t.exposeString('positivePrompt', {
      description: 'The final prompt, with the "rwre" trigger word.',
    }),
    negativePrompt: t.exposeString('negativePrompt', { nullable: true }),
    inputImages: t.field({ type: [JobInputImage], resolve: (task) => task.inputImages }),
    style: t.field({ type: StyleEnum, resolve: (task) => task.style }),
    strength: t.exposeInt('strength'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    model: t.exposeString('model'),
    steps: t.exposeInt('steps'),
    CFGScale: t.exposeFloat('CFGScale'),
    scheduler: t.exposeString('scheduler', { nullable: true }),
    seed: t.field({ type: SeedScalar, nullable: true, resolve: (task) => task.seed ?? null }),
    clipSkip: t.exposeInt('clipSkip', { nullable: true }),
    numberResults: t.exposeInt('numberResults'),
    outputType: t.field({ type: OutputTypeEnum, resolve: (task) => task.outputType }),
    outputFormat: t.field({ type: OutputFormatEnum, resolve: (task) => task.outputFormat }),
    outputQuality: t.exposeInt('outputQuality'),
    includeCost: t.exposeBoolean('includeCost'),
    safety: t.field({ type: SafetyRef, nullable: true, resolve: (task) => task.safety ?? null }),
    webhookURL: t.exposeString('webhookURL', { nullable: true }),
    uploadEndpoint: t.exposeString('uploadEndpoint', { nullable: true }),
    ttl: t.exposeInt('ttl', { nullable: true }),
    deliveryMethod: t.field({ type: DeliveryMethodEnum, resolve: (task) => task.deliveryMethod }),
    lora: t.field({ type: [LoraRef], resolve: (task) => task.lora ?? [] }),
    vae: t.exposeString('vae', { nullable: true }),
    promptWeighting: t.field({
      type: PromptWeightingEnum,
      nullable: true,
      resolve: (task) => task.promptWeighting ?? null,
    }),
  }),
});

export const JobImageRef = builder.objectRef<JobImage>('JobImage').implement({
  description: 'One generated image.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '0-based position in the batch.' }),
    url: t.string({
      description: 'Signed, expiring URL of the image, served by this API from its blob store.',
      resolve: (image, _args, ctx) => ctx.deps.imageUrls.urlFor(image.blob),
    }),
    imageUUID: t.exposeID('imageUUID', {
      description: "Runware's UUID of the image (usable as an input image).",
    }),
    seed: t.field({ type: SeedScalar, resolve: (image) => image.seed }),
    cost: t.exposeFloat('cost', { nullable: true, description: 'USD, when includeCost was asked.' }),
    nsfw: t.exposeBoolean('nsfw', {
      nullable: true,
      description: "Runware's NSFWContent flag, when safety was used.",
    }),
    likeness: t.exposeFloat('likeness', {
      nullable: true,
      description:
        'How much the face in the image looks like the reference photos: 1 identical, 0.5 the same-person threshold, 0 far off or no face. Null: not scored (referenceCheck OFF) or not yet.',
    }),
    faceFound: t.exposeBoolean('faceFound', {
      nullable: true,
      description: 'Whether the image shows a face at all. Null: not scored.',
    }),
    belowMinLikeness: t.exposeBoolean('belowMinLikeness', {
      nullable: true,
      description: "Its likeness is below the job's minLikeness. Null: the job set none, or not scored.",
    }),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    outputFormat: t.field({ type: OutputFormatEnum, resolve: (image) => image.outputFormat }),
    mediaType: t.string({ resolve: (image) => image.blob.mediaType }),
    size: t.int({ description: 'Bytes.', resolve: (image) => image.blob.size }),
    sha256: t.string({ resolve: (image) => image.blob.sha256 }),
  }),
});

export const JobErrorRef = builder.objectRef<JobError>('JobError').implement({
  description: "Why a job failed, in Runware's terms.",
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'Runware-style code, e.g. invalidStrength, insufficientCredits.',
    }),
    parameter: t.exposeString('parameter', { nullable: true }),
    message: t.exposeString('message'),
    retryable: t.exposeBoolean('retryable'),
  }),
});

export const ReferenceWarningRef = builder.objectRef<ReferenceWarning>('ReferenceWarning').implement({
  description:
    'A reference photo that failed the check before generation: refused with referenceCheck STRICT, kept as a warning with WARN.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'invalidReferenceImage or referencesDiffer.' }),
    parameter: t.exposeString('parameter', { description: 'The photo: inputImages[i].' }),
    reason: t.exposeString('reason', {
      nullable: true,
      description:
        'For invalidReferenceImage: noFace, multipleFaces, faceTooSmall, tooBlurry or profileFace.',
    }),
    message: t.exposeString('message'),
  }),
});

const JobTimings = builder.objectRef<JobState['timings']>('JobTimings').implement({
  description: 'Milliseconds spent per phase.',
  fields: (t) => ({
    queuedMs: t.exposeFloat('queuedMs', { nullable: true }),
    uploadMs: t.exposeFloat('uploadMs', { nullable: true }),
    generateMs: t.exposeFloat('generateMs', { nullable: true }),
    deliverMs: t.exposeFloat('deliverMs', { nullable: true }),
    totalMs: t.exposeFloat('totalMs', { nullable: true }),
  }),
});

export const JobRef = builder.objectRef<JobState>('Job').implement({
  description: 'A PhotoMaker generation: a durable Temporal workflow.',
  fields: (t) => ({
    id: t.id({ resolve: (job) => job.jobId }),
    status: t.field({ type: JobStatusEnum, resolve: (job) => job.status }),
    stage: t.field({ type: JobStageEnum, resolve: (job) => job.stage }),
    seq: t.exposeInt('seq', {
      description: 'Seq of the last progress event reflected here (resume jobEvents after it).',
    }),
    task: t.field({ type: JobTaskRef, resolve: (job) => job.task }),
    runwareTaskUUID: t.exposeID('runwareTaskUUID'),
    images: t.field({ type: [JobImageRef], resolve: (job) => job.images }),
    cost: t.exposeFloat('cost', { nullable: true, description: 'Total USD, when includeCost was asked.' }),
    error: t.field({ type: JobErrorRef, nullable: true, resolve: (job) => job.error }),
    regenerateBelow: t.int({
      nullable: true,
      description: 'The extra images it may make to reach numberResults images at or above minLikeness.',
      resolve: (job) => job.regenerateBelow ?? null,
    }),
    regenerated: t.int({
      description:
        'Extra images it made (regenerateBelow) because images missed minLikeness; they are in `images` with their likeness.',
      resolve: (job) => Math.max(0, job.images.length - job.task.numberResults),
    }),
    referenceWarnings: t.field({
      type: [ReferenceWarningRef],
      nullable: true,
      description:
        'What the reference check found (empty: every photo passed). Null until it ran, or when referenceCheck is OFF.',
      resolve: (job) => job.referenceWarnings ?? null,
    }),
    createdAt: t.field({ type: DateTimeScalar, resolve: (job) => job.createdAt }),
    startedAt: t.field({ type: DateTimeScalar, nullable: true, resolve: (job) => job.startedAt }),
    finishedAt: t.field({ type: DateTimeScalar, nullable: true, resolve: (job) => job.finishedAt }),
    requestId: t.exposeString('requestId', {
      nullable: true,
      description: 'The request id of the call that created it.',
    }),
    traceId: t.exposeString('traceId', {
      nullable: true,
      description:
        'The OpenTelemetry trace id of this job (request, workflow, activities, Runware calls, deliveries), when the API traces. Null: not traced.',
    }),
    cancelAt: t.field({
      type: DateTimeScalar,
      nullable: true,
      description: 'The deadline from cancelAfter: past it the job ends CANCELLED. Null: no deadline.',
      resolve: (job) => job.cancelAt ?? null,
    }),
    timings: t.field({ type: JobTimings, resolve: (job) => job.timings }),
    priority: t.field({
      type: JobPriorityEnum,
      nullable: true,
      description:
        "Its priority among the tenant's queued jobs, from its start input. Null when no limit applied when it started (it never waited for a slot).",
      resolve: (job) => job.priority ?? null,
    }),
    queuePosition: t.int({
      nullable: true,
      description:
        'While QUEUED: its 1-based place in the admission queue (1 starts next). Null once it runs, or when unknown.',
      resolve: async (job, _args, ctx) => (await queueStatusOf(job, ctx))?.position ?? null,
    }),
    estimatedStartAt: t.field({
      type: DateTimeScalar,
      nullable: true,
      description:
        'While QUEUED: when it should start, from measured service times. Null once it runs, or when unknown.',
      resolve: async (job, _args, ctx) => (await queueStatusOf(job, ctx))?.estimatedStartAt ?? null,
    }),
    estimatedFinishAt: t.field({
      type: DateTimeScalar,
      nullable: true,
      description: 'While QUEUED: when it should finish. Null once it runs, or when unknown.',
      resolve: async (job, _args, ctx) => (await queueStatusOf(job, ctx))?.estimatedFinishAt ?? null,
    }),
  }),
});

/** Only a queued job is asked about (one batched query per request for all of them, see QueueStatuses). */
async function queueStatusOf(job: JobState, ctx: GraphQLContext): Promise<QueueUpdate | undefined> {
  if (job.status !== 'QUEUED') return undefined;
  const status = await ctx.deps.queue.load(job.jobId);
  return status ? queueUpdateOf(status) : undefined;
}
