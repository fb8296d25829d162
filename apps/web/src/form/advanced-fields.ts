/** The fields under "Advanced", in form order (the page's error order ends with them). */
export const ADVANCED_FIELDS = [
  'negativePrompt',
  'model',
  'steps',
  'CFGScale',
  'clipSkip',
  'scheduler',
  'outputFormat',
  'outputQuality',
  'safety',
  'webhookURL',
  'uploadEndpoint',
  'cancelAfter',
  'priority',
] as const;
