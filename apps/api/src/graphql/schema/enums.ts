import {
  DELIVERY_METHODS,
  JOB_STAGES,
  JOB_STATUSES,
  OUTPUT_FORMATS,
  REFERENCE_CHECK_MODES,
  SAFETY_MODES,
  STYLE_ENUM,
} from '@photomaker/schema';
import { JOB_PRIORITIES } from '@photomaker/temporal';
import { builder } from '../builder.ts';

// GraphQL enum names are SCREAMING_CASE; each maps to the exact Runware/job-model value internally.

export const StyleEnum = builder.enumType('Style', {
  description:
    'PhotoMaker styles. Internally each maps to Runware\'s exact spelling (e.g. NO_STYLE = "No style").',
  values: Object.fromEntries(
    Object.entries(STYLE_ENUM).map(([name, style]) => [
      name,
      { value: style, description: `Runware: "${style}"` },
    ]),
  ) as { [K in keyof typeof STYLE_ENUM]: { value: (typeof STYLE_ENUM)[K]; description: string } },
});

export const OutputTypeEnum = builder.enumType('OutputType', {
  description: 'How Runware returns images to the platform (clients always get URLs served by this API).',
  values: {
    URL: { value: 'URL' },
    BASE64_DATA: { value: 'base64Data' },
    DATA_URI: { value: 'dataURI' },
  } as const,
});

export const OutputFormatEnum = builder.enumType('OutputFormat', {
  values: Object.fromEntries(OUTPUT_FORMATS.map((format) => [format, { value: format }])) as {
    [K in (typeof OUTPUT_FORMATS)[number]]: { value: K };
  },
});

export const DeliveryMethodEnum = builder.enumType('DeliveryMethod', {
  description:
    'ASYNC (default): generatePhotoMaker returns the queued job at once. SYNC: it waits for the job to finish ' +
    '(bounded by PHOTOMAKER_SYNC_WAIT_MS) and returns it in whatever state it reached.',
  values: Object.fromEntries(DELIVERY_METHODS.map((method) => [method.toUpperCase(), { value: method }])) as {
    SYNC: { value: 'sync' };
    ASYNC: { value: 'async' };
  },
});

export const SafetyModeEnum = builder.enumType('SafetyMode', {
  values: Object.fromEntries(SAFETY_MODES.map((mode) => [mode.toUpperCase(), { value: mode }])) as {
    NONE: { value: 'none' };
    FAST: { value: 'fast' };
    FULL: { value: 'full' };
  },
});

export const PromptWeightingEnum = builder.enumType('PromptWeighting', {
  description: "How weights in the prompt's syntax are read (Runware's promptWeighting).",
  values: {
    COMPEL: { value: 'compel', description: 'Runware: "compel"' },
    SD_EMBEDS: { value: 'sdEmbeds', description: 'Runware: "sdEmbeds"' },
  } as const,
});

export const JobPriorityEnum = builder.enumType('JobPriority', {
  description:
    "Not a Runware parameter: the order in which a tenant's queued jobs start (HIGH first, then NORMAL, then LOW; first come first served within one). Across tenants, slots are shared round-robin whatever the priority.",
  values: Object.fromEntries(JOB_PRIORITIES.map((priority) => [priority, { value: priority }])) as {
    [K in (typeof JOB_PRIORITIES)[number]]: { value: K };
  },
});

export const ReferenceCheckEnum = builder.enumType('ReferenceCheck', {
  description:
    'Not a Runware parameter: how the reference photos are checked before Runware is paid. STRICT refuses the job (invalidReferenceImage naming inputImages[i] and the reason: noFace, multipleFaces, faceTooSmall, tooBlurry, profileFace; or referencesDiffer naming the odd one out); WARN runs it and lists the warnings on Job.referenceWarnings and in a JobReferencesChecked event; OFF skips the check.',
  values: Object.fromEntries(REFERENCE_CHECK_MODES.map((mode) => [mode, { value: mode }])) as {
    [K in (typeof REFERENCE_CHECK_MODES)[number]]: { value: K };
  },
});

export const JobStatusEnum = builder.enumType('JobStatus', {
  values: Object.fromEntries(JOB_STATUSES.map((status) => [status, { value: status }])) as {
    [K in (typeof JOB_STATUSES)[number]]: { value: K };
  },
});

export const JobStageEnum = builder.enumType('JobStage', {
  description:
    'Where a job is: queued -> uploading_references -> submitted -> image_ready (per image) -> delivering -> a terminal stage.',
  values: Object.fromEntries(JOB_STAGES.map((stage) => [stage.toUpperCase(), { value: stage }])) as {
    [K in (typeof JOB_STAGES)[number] as Uppercase<K>]: { value: K };
  },
});
