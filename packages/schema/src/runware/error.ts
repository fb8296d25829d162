import { z } from 'zod';

/** Runware's error object. `parameter` may be an array for cross-field errors (seen in the TS SDK). */
export const runwareErrorSchema = z.looseObject({
  code: z.string(),
  message: z.string(),
  parameter: z.union([z.string(), z.array(z.string())]).optional(),
  taskType: z.string().optional(),
  taskUUID: z.string().optional(),
  documentation: z.string().optional(),
  status: z.literal('error').optional(),
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  allowedValues: z.array(z.union([z.string(), z.number()])).optional(),
});

export type RunwareError = z.infer<typeof runwareErrorSchema>;

export const RUNWARE_ERROR_CATEGORIES = [
  'validation',
  'conflict',
  'auth',
  'quota',
  'rateLimit',
  'safety',
  'provider',
  'timeout',
  'notFound',
  'cancelled',
  'serverError',
  'unknown',
] as const;
export type RunwareErrorCategory = (typeof RUNWARE_ERROR_CATEGORIES)[number];

export interface RunwareErrorClass {
  category: RunwareErrorCategory;
  /** true when sending the same task again (same taskUUID) can succeed. */
  retryable: boolean;
}

const EXACT: Record<string, RunwareErrorCategory> = {
  conflictTaskUUID: 'conflict',
  invalidApiKey: 'auth',
  missingApiKey: 'auth',
  unauthorized: 'auth',
  forbidden: 'auth',
  accountSuspended: 'auth',
  insufficientCredits: 'quota',
  providerInsufficientCredits: 'quota',
  quotaExceeded: 'quota',
  paymentRequired: 'quota',
  rateLimitExceeded: 'rateLimit',
  inferenceRateLimitExceeded: 'rateLimit',
  providerRateLimitExceeded: 'rateLimit',
  contentPolicyViolation: 'safety',
  nsfwContentDetected: 'safety',
  promptBlocked: 'safety',
  imageBlocked: 'safety',
  providerError: 'provider',
  providerUnavailable: 'provider',
  inferenceError: 'provider',
  processingFailed: 'provider',
  taskFailed: 'provider',
  downloadFailed: 'provider',
  uploadFailed: 'provider',
  noAvailableServer: 'provider',
  modelUnavailable: 'provider',
  modelNotReady: 'provider',
  timeout: 'timeout',
  timeoutProvider: 'timeout',
  providerTimeout: 'timeout',
  providerGatewayTimeout: 'timeout',
  modelNotFound: 'notFound',
  taskNotFound: 'notFound',
  mediaNotFound: 'notFound',
  taskExpired: 'notFound',
  taskFailedOrNotFound: 'notFound',
  // Ours, not Runware's: the job was cancelled on purpose (cancelJob or its cancelAfter deadline).
  taskCancelled: 'cancelled',
  internalServerError: 'serverError',
  serviceUnavailable: 'serverError',
  unknownError: 'serverError',
};

/** The Runware error codes we know by name (a closed set, for metric labels). */
export const KNOWN_RUNWARE_ERROR_CODES: readonly string[] = Object.keys(EXACT);

// Name heuristics after the exact table, as Runware's own SDKs bucket codes.
const PREFIXES: [RegExp, RunwareErrorCategory][] = [
  [/^conflict/, 'conflict'],
  [
    /^(invalid|missing|duplicate|unsupported|value|array|max|min|unknownParameter|incompatible)/,
    'validation',
  ],
  [/(unauthori[sz]ed|forbidden|apikey)/i, 'auth'],
  [/(credit|quota|balance|payment)/i, 'quota'],
  [/ratelimit/i, 'rateLimit'],
  [/(nsfw|blocked|policy|safety)/i, 'safety'],
  [/timeout/i, 'timeout'],
  [/notfound|expired/i, 'notFound'],
  [/^provider|unavailable|failed$/i, 'provider'],
];

const RETRYABLE: ReadonlySet<RunwareErrorCategory> = new Set([
  'rateLimit',
  'provider',
  'timeout',
  'serverError',
]);

function categoryFromStatus(status: number | undefined): RunwareErrorCategory {
  if (status === undefined) return 'unknown';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 429) return 'rateLimit';
  if (status >= 500) return 'serverError';
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'quota';
  if (status === 404) return 'notFound';
  if (status === 409) return 'conflict';
  if (status >= 400) return 'validation';
  return 'unknown';
}

/** The parameters that carry reference images (photoMaker `inputImages`, imageUpload `image`). */
const IMAGE_PARAMETERS = /^(inputImages|image|referenceImages|seedImage)\b/;
const DECODE_WORDS =
  /decod|corrupt|truncat|malformed|unsupported (image )?format|not a valid image|unreadable/i;

/**
 * A reference image Runware could not decode: an image parameter (or a message naming `inputImages`)
 * with a decode/format complaint, whatever code it came with (the same bytes fail the same way every
 * time, even when the code is a retryable `inferenceError`).
 */
export function isImageDecodeError(error: {
  code?: string | undefined;
  parameter?: string | readonly string[] | undefined;
  message?: string | undefined;
}): boolean {
  const parameters = typeof error.parameter === 'string' ? [error.parameter] : (error.parameter ?? []);
  const aboutImage =
    parameters.some((parameter) => IMAGE_PARAMETERS.test(parameter)) ||
    /inputImages|reference image/i.test(error.message ?? '');
  return aboutImage && (DECODE_WORDS.test(error.message ?? '') || /^invalidImage/.test(error.code ?? ''));
}

/**
 * Retryable vs permanent, from Runware's code (exact table, then name heuristics) and the HTTP status.
 * A 5xx/408/429 status makes an otherwise unknown code retryable; validation, auth, quota and safety
 * never are, nor is an image that does not decode (isImageDecodeError, when parameter and message are
 * given). `conflictTaskUUID` is its own category: "already accepted", switch to getResponse.
 */
export function classifyRunwareError(error: {
  code?: string | undefined;
  status?: number | undefined;
  parameter?: string | readonly string[] | undefined;
  message?: string | undefined;
}): RunwareErrorClass {
  const code = error.code ?? '';
  let category: RunwareErrorCategory | undefined = EXACT[code];
  if (!category && code) category = PREFIXES.find(([pattern]) => pattern.test(code))?.[1];
  if (!category || category === 'unknown') category = categoryFromStatus(error.status);
  if (category !== 'validation' && isImageDecodeError(error)) category = 'validation';
  return { category, retryable: RETRYABLE.has(category) };
}

/** The HTTP status Runware documents for each category (REST responses, emulator and gateway). */
export function httpStatusFor(category: RunwareErrorCategory): number {
  switch (category) {
    case 'validation':
    case 'conflict':
      return 400;
    case 'auth':
      return 401;
    case 'quota':
      return 402;
    case 'notFound':
      return 404;
    // A deliberate cancel is final and the client's own doing: a 4xx, so no SDK retries it as a 5xx.
    case 'cancelled':
      return 409;
    case 'rateLimit':
      return 429;
    case 'timeout':
      return 504;
    case 'provider':
    case 'serverError':
      return 503;
    case 'safety':
      return 400;
    default:
      return 500;
  }
}
