import { DEFAULT_MODEL, DEFAULTS, LIMITS } from '@photomaker/schema';
import { builder } from '../builder.ts';
import {
  DeliveryMethodEnum,
  JobPriorityEnum,
  OutputFormatEnum,
  OutputTypeEnum,
  PromptWeightingEnum,
  ReferenceCheckEnum,
  SafetyModeEnum,
  StyleEnum,
} from './enums.ts';
import { SeedScalar } from './scalars.ts';
import { WebhookEventEnum } from './webhook-events.ts';

// Field names mirror Runware's photoMaker parameters exactly. GraphQL checks types; every rule (ranges,
// lengths, multiples, formats) is checked by the shared zod schema (@photomaker/schema), the same code
// that /v1, the worker and the emulator use. Descriptions quote the limits from that package.

const SafetyInput = builder.inputType('SafetyInput', {
  description:
    'Content safety checking. `mode` wins over `checkContent`; `checkContent: true` alone means FAST.',
  fields: (t) => ({
    checkContent: t.boolean(),
    mode: t.field({ type: SafetyModeEnum }),
  }),
});

const range = (limit: { min: number; max: number }) => `${limit.min}-${limit.max}`;

const LoraInput = builder.inputType('LoraInput', {
  description: 'A LoRA applied with PhotoMaker (Runware sends it in either task form).',
  fields: (t) => ({
    model: t.string({ required: true, description: 'The LoRA as an AIR id, e.g. civitai:58390@62833.' }),
    weight: t.float({
      defaultValue: LIMITS.loraWeight.default,
      description: `${range(LIMITS.loraWeight)}; negative weights push away from the LoRA.`,
    }),
  }),
});

export const PhotoMakerInput = builder.inputType('PhotoMakerInput', {
  description: "A PhotoMaker generation. Field names and rules are Runware's (see the photoMaker task).",
  fields: (t) => ({
    positivePrompt: t.string({
      required: true,
      description: `${range({ min: LIMITS.positivePrompt.minLength, max: LIMITS.positivePrompt.maxLength })} characters. The trigger word "rwre" is prepended ("rwre, ...") when absent; Job.task.positivePrompt shows the final prompt.`,
    }),
    inputImages: t.stringList({
      required: true,
      description: `${range(LIMITS.inputImages)} reference photos of one face, each a data URI, raw base64, an http(s) URL (fetched by the API through the SSRF guard), the id of an uploadReferenceImage, or a Runware image UUID.`,
    }),
    style: t.field({ type: StyleEnum, defaultValue: 'No style' }),
    strength: t.int({
      defaultValue: DEFAULTS.strength,
      description: `Integer ${range(LIMITS.strength)}; lower keeps more identity.`,
    }),
    width: t.int({ required: true, description: `${range(LIMITS.width)}, divisible by 64.` }),
    height: t.int({ required: true, description: `${range(LIMITS.height)}, divisible by 64.` }),
    model: t.string({ defaultValue: DEFAULT_MODEL, description: 'An SDXL model AIR id (see `models`).' }),
    steps: t.int({ defaultValue: DEFAULTS.steps, description: range(LIMITS.steps) }),
    CFGScale: t.float({ defaultValue: DEFAULTS.CFGScale, description: range(LIMITS.CFGScale) }),
    scheduler: t.string({ description: "Scheduler name; the model's own when omitted." }),
    seed: t.field({ type: SeedScalar, description: 'Random when omitted; image i gets seed + i.' }),
    clipSkip: t.int({ description: range(LIMITS.clipSkip) }),
    negativePrompt: t.string({
      description: `${range({ min: LIMITS.negativePrompt.minLength, max: LIMITS.negativePrompt.maxLength })} characters.`,
    }),
    numberResults: t.int({ defaultValue: DEFAULTS.numberResults, description: range(LIMITS.numberResults) }),
    outputType: t.field({ type: OutputTypeEnum, defaultValue: 'URL' }),
    outputFormat: t.field({ type: OutputFormatEnum, defaultValue: 'JPG' }),
    outputQuality: t.int({ defaultValue: DEFAULTS.outputQuality, description: range(LIMITS.outputQuality) }),
    includeCost: t.boolean({ defaultValue: DEFAULTS.includeCost }),
    safety: t.field({ type: SafetyInput }),
    webhookURL: t.string({
      description:
        'Each finished image is POSTed there (Runware response shape). Public addresses only (SSRF guard).',
    }),
    uploadEndpoint: t.string({
      description: 'Each finished image is PUT there as raw bytes. Public addresses only.',
    }),
    webhookEvents: t.field({
      type: [WebhookEventEnum],
      description:
        'Not a Runware parameter: which events webhookURL is sent (default IMAGE, COMPLETED, FAILED; [] sends none).',
    }),
    cancelAfter: t.string({
      description:
        'Not a Runware parameter: the job\'s deadline, a duration ("90s", "10m", "2h") or an ISO-8601 time with an offset, 1 s to 24 h ahead. Past it the job ends CANCELLED (its `cancelled` event says why); Runware work already submitted still runs and is charged.',
    }),
    priority: t.field({
      type: JobPriorityEnum,
      description:
        "Not a Runware parameter: where the job queues among the tenant's own jobs when it waits for a slot. The tenant's default when omitted (NORMAL unless configured).",
    }),
    referenceCheck: t.field({
      type: ReferenceCheckEnum,
      description:
        "Not a Runware parameter: check the reference photos before Runware is paid (one large, sharp, frontal face each; one person in all). The tenant's default when omitted (OFF unless configured).",
    }),
    minLikeness: t.float({
      description:
        'Not a Runware parameter: images whose likeness to the reference photos is below this (0 to 1; 0.5 is the same-person threshold) are marked JobImage.belowMinLikeness. Every image is then scored, even with referenceCheck OFF.',
    }),
    regenerateBelow: t.int({
      description:
        'Not a Runware parameter: up to this many extra images (0 to numberResults; needs minLikeness), with new seeds, while fewer than numberResults images reach minLikeness. Each extra image is charged, counted and cancelled like any image; numberResults + regenerateBelow images count against your limits at submission. Default 0.',
    }),
    expiresIn: t.string({
      description:
        'Not a Runware parameter (fal\'s `expires_in`): a duration ("30m", "12h", "7d"; 1 minute to 365 days) after which this job\'s output images and reference photos are erased, if sooner than your retention. Your retention still applies to the job record.',
    }),
    ttl: t.int({
      description: `Seconds (at least ${LIMITS.ttl.min}) the generated file lives at Runware (URL output only).`,
    }),
    deliveryMethod: t.field({ type: DeliveryMethodEnum, defaultValue: 'async' }),
    lora: t.field({ type: [LoraInput], description: 'LoRAs to apply, in order.' }),
    vae: t.string({ description: "A VAE as an AIR id; the model's own when omitted." }),
    promptWeighting: t.field({ type: PromptWeightingEnum }),
  }),
});
